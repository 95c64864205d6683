// The session workflow, as the bundle entry (workflows/index.ts) and the tests import it.
export { sessionWorkflow } from './handlers';
export type { SessionCarry } from './machine';
