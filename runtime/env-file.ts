import { existsSync } from 'node:fs';

/**
 * Loads `.env` from the working directory when there is one. Variables already
 * set in the environment win, as with `node --env-file`.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
