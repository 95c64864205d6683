import { Router } from 'express';
import { z } from 'zod';
import { startSessionSchema } from '../../domain/identity';
import { validate } from '../errors';
import { requiredBody } from '../http/transport';
import { startSession, type StartSessionDeps } from '../use-cases/start-session';

export function sessionRoutes(deps: StartSessionDeps): Router {
  const router = Router();
  router.post('/api/v1/sessions', async (req, res) => {
    validate(z.strictObject({}), { ...req.query }, 'query');
    const request = validate(startSessionSchema, requiredBody(req));
    const started = await startSession(deps, request);
    res.status(started.attached ? 200 : 201).json(started);
  });
  return router;
}
