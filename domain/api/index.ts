/** The API's contract, shared with the web app. */
export * from './common';
export * from './problems';
export * from './auth';
export * from './queue';
export * from './accounts';
export * from './calls';
export * from './ingestion';
export * from './metrics';
export * from './policies';
export * from './settings';
export * from './recommendations';
export * from './routes';
