import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const eventName = (event: HistoryEvent) =>
  String(temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? event.eventType)
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase();

const millis = (event: HistoryEvent) =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;

/** A local activity's marker carries its type in its first payload (JSON). */
function localActivityType(event: HistoryEvent): string | undefined {
  const payload = event.markerRecordedEventAttributes?.details?.['data']?.payloads?.[0]?.data;
  if (!payload) return undefined;
  const match = /"activity_type":"([^"]+)"/.exec(Buffer.from(payload).toString());
  return match?.[1];
}

function detail(event: HistoryEvent): string {
  return (
    event.workflowExecutionSignaledEventAttributes?.signalName ??
    event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    localActivityType(event) ??
    event.markerRecordedEventAttributes?.markerName ??
    ''
  );
}

/**
 * One workflow's history as `+ms event detail` lines from its first event:
 * where a session's time goes — how long each workflow task ran and which
 * signals, updates and local activities it held.
 */
export async function sessionTimeline(client: Client, workflowId: string): Promise<string[]> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const all = events ?? [];
  const start = all[0] ? millis(all[0]) : 0;
  return all.map((event) => {
    const at = `+${(millis(event) - start).toFixed(0)} ms`.padStart(10);
    return `${at}  ${eventName(event)} ${detail(event)}`.trimEnd();
  });
}

/** How large one workflow's history is: its events, workflow tasks, signals and local activities. */
export async function historySize(client: Client, workflowId: string): Promise<string> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const all = events ?? [];
  const count = (name: string) => all.filter((e) => eventName(e) === name).length;
  const signals = count('workflow_execution_signaled');
  const chatTurns = all.filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'chatTurn',
  ).length;
  const localActivities = all.filter((e) => localActivityType(e) !== undefined).length;
  return `${all.length} events, ${count('workflow_task_completed')} workflow tasks, ${signals} signals (${chatTurns} chatTurn), ${localActivities} local activities`;
}
