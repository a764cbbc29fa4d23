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
