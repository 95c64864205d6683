#!/bin/sh
# Creates the namespace and registers the engine's search attributes (all
# Keyword); every step is safe to repeat. Keep the list in step with
# workflows/contract.ts (a test checks it).
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo 'waiting for temporal…'
  sleep 2
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$ns" --retention 72h
for name in TenantId SessionPhase AgentId GroupId Channel VisitorId; do
  if temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$ns" --name "$name" --type Keyword
  fi
done
echo 'namespace and search attributes ready'
