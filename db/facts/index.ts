/**
 * The account's facts: the one module every reader and writer goes through — the API, the importer,
 * the webhooks, the workflow's activities, client replies and any later source (accounting
 * connectors). Writes lock the account row first (./transactions via ../transactions.ts), change the
 * facts, move the account's facts version where the workflow must re-plan, and append their event.
 *
 *   reads            — loadAccount, loadSettings, loadPolicies, payLinkFor (../account-facts)
 *   money            — clients, invoices, payments, credits, voids, promises, disputes, mode, pause (../ledger)
 *   held payments    — possible duplicates (../payment-holds), released or dismissed (./people)
 *   drafts           — recorded, decided, withdrawn, escalated (./drafts)
 *   answers          — a routine question's answer drafted, decided and sent like any draft (./answers)
 *   sends            — queued → sending → sent | failed | withdrawn | unconfirmed (./sends)
 *   calls            — opened, claimed, released, logged, closed (./calls)
 *   planning         — promises kept or broken, steps skipped or blocked, next action, recommendations (./planning)
 *   policies         — a new version and the re-plan it causes (./policies)
 *   replies          — a client's reply recorded with what it was understood as, and its holds (../replies)
 *   people           — recommendation decisions, held payments, notes (./people)
 */
export * from '../account-facts';
export * from '../ledger';
export * from '../payment-holds';
export * from '../replies';
export { lockAccountRow, withConflictRetry, isRetryableConflict, ConflictPersistedError } from '../transactions';
export type { Db } from '../client';
export * from './refused';
export * from './drafts';
export * from './calls';
export * from './planning';
export * from './policies';
export * from './people';
export * from './imports';
export * from './bulk-invoices';
export * from './sends';
export * from './answers';
