/**
 * Every code the API sends, in the words a finance user would use. Unknown codes fall back to a
 * readable form of the code rather than the code itself.
 */
import { sensitiveReasonLabels, type SensitiveReason } from '../../../domain/policy/next-action';
import { humanize } from './format';

const steps: Record<string, string> = {
  prevention: 'Upcoming-invoice reminder',
  first_reminder: 'First reminder',
  second_reminder: 'Second reminder',
  final_notice: 'Final notice',
  call: 'Phone call',
  service_pause: 'Service pause',
  collections: 'Collections referral',
  answer: 'Answer to a client’s question',
};

export const stepLabel = (id: string | null | undefined) => (id ? (steps[id] ?? humanize(id)) : 'Not started');

const statuses: Record<string, string> = {
  pending_approval: 'Waiting for approval',
  approved: 'Approved',
  rejected: 'Rejected',
  superseded: 'Withdrawn',
  suppressed: 'Not sent',
  sent: 'Sent',
  open: 'Open',
  done: 'Done',
  kept: 'Kept',
  broken: 'Broken',
  resolved: 'Resolved',
  paid: 'Paid',
  void: 'Voided',
};

export const statusLabel = (s: string) => statuses[s] ?? humanize(s);

export const reasonLabel = (r: string) => sensitiveReasonLabels[r as SensitiveReason] ?? humanize(r);

const sources: Record<string, string> = { model: 'the language model', template: 'the built-in template' };
export const sourceLabel = (s: string) => sources[s] ?? humanize(s);

/** What happened to a draft, as a sentence's verb: "Sam Ortiz approved it". */
const draftEvents: Record<string, string> = {
  'draft.approved': 'approved it',
  'draft.edited_and_approved': 'edited and approved it',
  'draft.rejected': 'rejected it',
  'draft.withdrawn': 'withdrew it',
  'send.suppressed': 'stopped it before sending',
  'message.sent': 'sent it',
};
export const draftEventVerb = (type: string) => draftEvents[type] ?? humanize(type.split('.').pop()).toLowerCase();
export const isDraftDeparture = (type: string) => type in draftEvents && type !== 'message.sent';

const waits: Record<string, string> = {
  promise_open: 'Waiting for the promised payment',
  cool_down: 'Waiting out the gap between messages',
  next_step: 'Waiting for the next step',
  reply_hold: "Holding reminders after the client's reply",
};
const idles: Record<string, string> = {
  no_open_balance: 'Nothing to do: nothing is owed',
  dispute_open: 'Stopped: a dispute is open',
  paused: 'Paused: nothing goes out until someone resumes',
  escalation_complete: 'Every step of the policy has been taken',
  awaiting_decision: 'Waiting for a person to decide a draft',
};

/** The engine's encoded next action ('wait:promise_open', 'approval:final_notice', 'call') in words. */
export function nextActionLabel(code: string | null | undefined): string {
  if (!code) return 'None scheduled';
  const [kind, detail = ''] = code.split(':');
  if (kind === 'wait') return waits[detail] ?? `Waiting: ${humanize(detail).toLowerCase()}`;
  if (kind === 'idle') return idles[detail] ?? `Nothing to do: ${humanize(detail).toLowerCase()}`;
  if (kind === 'approval') return `${stepLabel(detail)} waiting for approval`;
  if (kind === 'blocked') return `${stepLabel(detail)} blocked: needs a person`;
  return `${stepLabel(kind)} due`;
}

export const segmentLabel = (s: string) => ({ standard: 'Standard', new_client: 'New client', long_term: 'Long-term client', key_account: 'Key account', sensitive: 'Sensitive account' })[s] ?? humanize(s);
export const modeLabel = (m: string) => ({ copilot: 'Copilot: a person approves', autonomous: 'Autonomous: routine steps go out alone' })[m] ?? humanize(m);

const outcomes: Record<string, string> = {
  promise: 'Promised to pay',
  dispute: 'Disputed',
  no_answer: 'No answer',
  wrong_number: 'Wrong number',
  paid: 'Says it is paid',
  other: 'Other',
};
export const outcomeLabel = (o: string | null | undefined) => (o ? (outcomes[o] ?? humanize(o)) : '—');

const events: Record<string, string> = {
  'draft.created': 'Draft written',
  'draft.approved': 'Draft approved',
  'draft.edited_and_approved': 'Draft edited and approved',
  'draft.rejected': 'Draft rejected',
  'draft.withdrawn': 'Draft withdrawn',
  'draft.escalated': 'Draft escalated to managers',
  'message.sent': 'Message sent',
  'send.suppressed': 'Message stopped before sending',
  'step.skipped': 'Step skipped',
  'step.blocked': 'Step blocked',
  'call.created': 'Call scheduled',
  'call.logged': 'Call logged',
  'call.claimed': 'Call claimed',
  'call.released': 'Call released',
  'promise.recorded': 'Promise to pay recorded',
  'promise.kept': 'Promise kept',
  'promise.broken': 'Promise broken',
  'dispute.opened': 'Dispute opened',
  'dispute.resolved': 'Dispute resolved',
  'account.paused': 'Follow-ups paused',
  'account.resumed': 'Follow-ups resumed',
  'account.mode_changed': 'Mode changed',
  'invoice.upserted': 'Invoice recorded',
  'invoice.voided': 'Invoice voided',
  'payment.recorded': 'Payment received',
  'note.added': 'Note',
};
export const eventLabel = (type: string) => events[type] ?? humanize(type.replace(/\./g, ' '));
