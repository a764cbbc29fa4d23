/** Rejecting needs a reason: it goes into the paper trail and back to whoever tunes the policy. */
import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { DecisionRequest } from '../../../../../domain/api';

export function RejectModal({
  opened,
  subject,
  onClose,
  onReject,
  loading,
}: {
  opened: boolean;
  subject: string;
  onClose: () => void;
  onReject: (reason: string) => void;
  loading: boolean;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = DecisionRequest.safeParse({ decision: 'reject', reason });
    if (!parsed.success) {
      setError('Say why, in a few words: the reason is kept with the draft.');
      return;
    }
    onReject(reason.trim());
    setReason('');
    setError(null);
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Reject “${subject}”`} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <Textarea
            label="Reason"
            description="Kept in the account's paper trail."
            required
            data-autofocus
            autosize
            minRows={3}
            value={reason}
            error={error}
            onChange={(e) => setReason(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
            }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={loading}>
              Reject draft
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
