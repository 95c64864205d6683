import { Router } from 'express';
import { refuseQuery } from '../http/transport';
import type { ReadinessReport } from '../readiness';

/** `/healthz`: the process is alive. `/readyz`: it can reach every server it needs. */
export function healthRoutes(checkReadiness: () => Promise<ReadinessReport>): Router {
  const router = Router();
  router.get('/healthz', refuseQuery, (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', refuseQuery, async (_req, res) => {
    const report = await checkReadiness();
    const failing = Object.entries(report.checks)
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'unavailable', failing, checks: report.checks });
  });
  return router;
}
