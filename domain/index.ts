/** The public domain API: facts, the policy as data, the escalation decision, tone and calendar math. */
export * from './facts';
export * from './calendar';
export * from './tone';
export * from './policy/schema';
export * from './policy/types';
export * from './policy/default-policy';
export * from './policy/next-action';
