import { z } from 'zod';
import type { endpoints } from '../http/endpoint';
import type { ReadinessReport } from '../readiness';

const check = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  failing: z.array(z.enum(['temporal', 'mongodb', 'redis'])),
  checks: z.object({ temporal: check, mongodb: check, redis: check }),
});

/** `/healthz`: the process is alive. `/readyz`: it can reach every server it needs. */
export function healthRoutes(
  api: ReturnType<typeof endpoints>,
  checkReadiness: () => Promise<ReadinessReport>,
): void {
  api.add({
    method: 'get',
    path: '/healthz',
    tag: 'health',
    summary: 'Liveness: the process answers',
    roles: 'public',
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    handle: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
  });

  api.add({
    method: 'get',
    path: '/readyz',
    tag: 'health',
    summary: 'Readiness: Temporal, MongoDB and Redis are reachable',
    roles: 'public',
    responses: {
      200: { description: 'Ready', schema: readiness },
      503: { description: 'A server is unreachable; `failing` names it', schema: readiness },
    },
    async handle() {
      const report = await checkReadiness();
      const failing = Object.entries(report.checks)
        .filter(([, check]) => !check.ok)
        .map(([name]) => name);
      return {
        status: report.ready ? 200 : 503,
        body: { status: report.ready ? 'ready' : 'unavailable', failing, checks: report.checks },
      };
    },
  });
}
