/**
 * The views: every answer shape the API returns (zod, so the OpenAPI
 * document and the tests read the same schema) and the functions that turn
 * stored documents and workflow state into it. Routes import from here;
 * nothing else builds the public JSON of a session, ticket, agent or customer.
 */
export * from './access';
export * from './agent';
export * from './attachment';
export * from './bot-hook';
export * from './channel';
export * from './config';
export * from './customer';
export * from './message';
export * from './order-lookup';
export * from './session';
export * from './tag';
export * from './tenant-hook';
export * from './ticket';
export * from './webhook';
