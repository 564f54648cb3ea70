// Closing a deal by dropping it on Won or Lost asks first; Cancel leaves the card where it was.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { competitorsQuery, lostReasonsQuery } from '../../api/lookup-queries';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';

export function LostDialog({
  subject,
  onConfirm,
  onCancel,
}: {
  subject: string;
  onConfirm: (lost: { reasonId: string; competitorId?: string }) => void;
  onCancel: () => void;
}) {
  const reasons = useQuery(lostReasonsQuery());
  const competitors = useQuery(competitorsQuery());
  const [reasonId, setReasonId] = useState('');
  const [competitorId, setCompetitorId] = useState('');
  const [tried, setTried] = useState(false);
  const confirm = () => {
    setTried(true);
    if (reasonId) onConfirm({ reasonId, competitorId: competitorId || undefined });
  };
  return (
    <Dialog
      title="Mark as lost"
      description={
        <>
          Why was <strong className="font-semibold text-slate-800">{subject}</strong> lost? The deal is closed
          at 0%.
        </>
      }
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="danger" onClick={confirm}>
            Mark as lost
          </Button>
        </>
      }
    >
      <Field
        label="Lost reason"
        error={tried && !reasonId ? 'Choose the reason the deal was lost.' : undefined}
      >
        {(props) => (
          <select
            {...props}
            data-autofocus
            className={inputClass}
            value={reasonId}
            onChange={(e) => setReasonId(e.target.value)}
            disabled={reasons.isPending}
          >
            <option value="">{reasons.isPending ? 'Loading…' : 'Choose a reason'}</option>
            {reasons.data?.map((r) => (
              <option key={r.ID} value={r.ID}>
                {r.Name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Lost to competitor" hint="Optional">
        {(props) => (
          <select
            {...props}
            className={inputClass}
            value={competitorId}
            onChange={(e) => setCompetitorId(e.target.value)}
            disabled={competitors.isPending}
          >
            <option value="">No competitor / unknown</option>
            {competitors.data?.map((c) => (
              <option key={c.ID} value={c.ID}>
                {c.Name}
              </option>
            ))}
          </select>
        )}
      </Field>
    </Dialog>
  );
}

export function WonDialog({
  subject,
  onConfirm,
  onCancel,
}: {
  subject: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      title="Mark as won"
      description={
        <>
          Close <strong className="font-semibold text-slate-800">{subject}</strong> as won? Its probability
          becomes 100%.
        </>
      }
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" onClick={onConfirm} data-autofocus>
            Mark as won
          </Button>
        </>
      }
    />
  );
}
