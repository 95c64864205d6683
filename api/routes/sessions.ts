import { Router } from 'express';
import { startSessionSchema } from '../../domain/identity';
import { validate } from '../errors';
import { startSession, type StartSessionDeps } from '../use-cases/start-session';

export function sessionRoutes(deps: StartSessionDeps): Router {
  const router = Router();
  router.post('/api/v1/sessions', async (req, res) => {
    const request = validate(startSessionSchema, req.body);
    const started = await startSession(deps, request);
    res.status(started.attached ? 200 : 201).json(started);
  });
  return router;
}
