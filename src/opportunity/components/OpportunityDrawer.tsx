// The opportunity drawer: every field, grouped as a rep thinks about a deal, edited in place.
// The server's validation messages appear at the field they name. A deal the signed-in person
// may not change (another rep's) is shown read-only, with the reason.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { dealAccess } from '../../api/deal-access';
import { phasesQuery, repName, salesRepsQuery, sourcesQuery } from '../../api/lookup-queries';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { useCurrentPerson } from '../../api/session-query';
import { formatDate, formatMoney } from '../../lib/format';
import { Button } from '../../ui/Button';
import { Dialog, useModalFocus } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { CloseIcon, LockIcon, TrashIcon } from '../../ui/icons';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { showToast } from '../../ui/toast-store';
import { type OpportunityDetail, opportunityQuery } from '../api/opportunity-query';
import { useDeleteOpportunity, useUpdateOpportunity } from '../api/use-opportunity-mutations';
import { changesOf, formFields, formOf, type OpportunityForm } from '../opportunity-form';
import { DealHistory } from './DealHistory';
import { ProductLinesTable } from './ProductLinesTable';

export function OpportunityDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const query = useQuery(opportunityQuery(id));
  const panelRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useModalFocus(panelRef, onClose);
  return (
    <div className="fixed inset-0 z-40 flex justify-end">
      <button
        type="button"
        aria-label="Close"
        tabIndex={-1}
        className="absolute inset-0 bg-slate-900/30"
        onClick={onClose}
      />
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className="relative flex h-full w-full max-w-xl flex-col bg-white shadow-2xl outline-none"
      >
        {query.data ? (
          <DrawerContent key={query.data.ID} opportunity={query.data} titleId={titleId} onClose={onClose} />
        ) : query.isError ? (
          <div className="p-6">
            <DrawerTitle titleId={titleId} onClose={onClose}>
              Opportunity
            </DrawerTitle>
            <div className="mt-6">
              <ErrorState
                message={
                  query.error instanceof ODataRequestError && query.error.status === 404
                    ? 'This opportunity no longer exists.'
                    : describeError(query.error)
                }
                onRetry={() => query.refetch()}
              />
            </div>
          </div>
        ) : (
          <DrawerSkeleton titleId={titleId} onClose={onClose} />
        )}
      </div>
    </div>
  );
}

function DrawerTitle({
  titleId,
  onClose,
  children,
}: {
  titleId: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <div className="flex items-start gap-3">
      <h2 id={titleId} className="flex-1 text-lg leading-snug font-semibold text-slate-900">
        {children}
      </h2>
      <button
        type="button"
        onClick={onClose}
        aria-label="Close opportunity"
        className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900"
      >
        <CloseIcon width={18} height={18} />
      </button>
    </div>
  );
}

function DrawerSkeleton({ titleId, onClose }: { titleId: string; onClose: () => void }) {
  return (
    <div className="space-y-4 p-6" aria-busy="true">
      <DrawerTitle titleId={titleId} onClose={onClose}>
        <span className="sr-only">Loading opportunity</span>
        <Skeleton className="h-6 w-64" />
      </DrawerTitle>
      <Skeleton className="h-4 w-40" />
      <div className="grid grid-cols-2 gap-4 pt-4">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <Skeleton key={i} className="h-12" />
        ))}
      </div>
      <Skeleton className="h-40" />
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-3">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      {children}
    </section>
  );
}

function ReadOnly({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <p className="text-xs font-medium text-slate-600">{label}</p>
      <p className="py-1.5 text-sm text-slate-900">{children || <span className="text-slate-500">–</span>}</p>
    </div>
  );
}

function DrawerContent({
  opportunity: o,
  titleId,
  onClose,
}: {
  opportunity: OpportunityDetail;
  titleId: string;
  onClose: () => void;
}) {
  const initial = formOf(o);
  const [draft, setDraft] = useState<OpportunityForm>(initial);
  const [shownEtag, setShownEtag] = useState(o['@odata.etag']);
  if (shownEtag !== o['@odata.etag']) {
    // A new version from the server (our save, or someone else's): edit from there on.
    setShownEtag(o['@odata.etag']);
    setDraft(initial);
  }
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState(false);
  const update = useUpdateOpportunity(o.ID);
  const remove = useDeleteOpportunity(o.ID);
  const phases = useQuery({ ...phasesQuery(o.Pipeline?.ID ?? ''), enabled: !!o.Pipeline?.ID });
  const reps = useQuery(salesRepsQuery());
  const sources = useQuery(sourcesQuery());
  const changes = changesOf(initial, draft);
  const dirty = Object.keys(changes).length > 0;
  const access = dealAccess(useCurrentPerson(), o.SalesRepresentative);
  const readOnly = !access.canChange;

  useEffect(() => {
    document.title = `${o.Subject} · Dealdeck`;
    return () => {
      document.title = 'Dealdeck';
    };
  }, [o.Subject]);

  const change = (field: keyof OpportunityForm) => (event: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [field]: event.target.value }));
    setSaved(false);
    setErrors(({ [field]: _, ...rest }) => rest);
  };

  const decimalField = (label: string, field: 'EstimatedAmount' | 'Probability') => (
    <Field label={label} error={fieldError(field)}>
      {(p) => (
        <input
          {...p}
          type="number"
          step="any"
          inputMode="decimal"
          className={inputClass}
          value={draft[field]}
          onChange={change(field)}
        />
      )}
    </Field>
  );

  const save = (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    update.mutate(
      { changes, etag: o['@odata.etag'] },
      {
        onSuccess: () => {
          setSaved(true);
          showToast('Changes saved.', 'success');
        },
        onError: (error) => {
          if (error instanceof ODataRequestError && error.isConflict) {
            setFormError(
              'Someone else changed this opportunity while you were editing. It now shows their version; make your change again.',
            );
            return;
          }
          const byField = error instanceof ODataRequestError ? error.fieldErrors : {};
          const known = Object.fromEntries(
            Object.entries(byField).filter(([k]) => (formFields as readonly string[]).includes(k)),
          );
          setErrors(known);
          if (Object.keys(known).length === 0) setFormError(describeError(error));
        },
      },
    );
  };

  const fieldError = (field: keyof OpportunityForm) => errors[field];
  const totals = (o.ProductLines?.length ?? 0) > 0;

  return (
    <form onSubmit={save} noValidate className="flex min-h-0 flex-1 flex-col">
      <div className="border-b border-slate-200 px-6 pt-5 pb-4">
        <p className="font-mono text-xs text-slate-500">{o.Number}</p>
        <DrawerTitle titleId={titleId} onClose={onClose}>
          {o.Subject}
        </DrawerTitle>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-xs">
          <span
            className={`rounded-full px-2 py-0.5 font-semibold ${
              o.Phase?.IsWon
                ? 'bg-emerald-100 text-emerald-800'
                : o.Phase?.IsLost
                  ? 'bg-rose-100 text-rose-800'
                  : 'bg-indigo-100 text-indigo-800'
            }`}
          >
            {o.Phase?.Name ?? 'No phase'}
          </span>
          <span className="text-slate-500">{o.Pipeline?.Name}</span>
          <span className="text-slate-300">·</span>
          <span className="font-semibold text-slate-700">{formatMoney(o.EstimatedAmount, o.Currency)}</span>
          <span className="text-slate-500">
            weighted {formatMoney(o.WeightedAmount, o.Currency)} at {o.Probability ?? 0}%
          </span>
        </div>
      </div>

      <section
        aria-labelledby={titleId}
        // Read-only, nothing inside takes the focus: the region itself does, so that the
        // keyboard can scroll it.
        tabIndex={readOnly ? 0 : undefined}
        className="flex-1 space-y-7 overflow-y-auto px-6 py-5 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500"
      >
        {!access.canChange && (
          <p className="flex gap-2 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-800 ring-1 ring-slate-200">
            <LockIcon className="mt-0.5 shrink-0 text-slate-600" />
            <span>
              <strong className="font-semibold">Read only: {access.label}.</strong> {access.reason}
            </span>
          </p>
        )}
        {formError && (
          <p
            role="alert"
            className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200"
          >
            {formError}
          </p>
        )}
        <fieldset disabled={readOnly} className="min-w-0 space-y-7">
          <Section title="Deal">
            <Field label="Subject" error={fieldError('Subject')}>
              {(p) => (
                <input {...p} className={inputClass} value={draft.Subject} onChange={change('Subject')} />
              )}
            </Field>
            <div className="grid grid-cols-2 gap-4">
              {decimalField('Estimated amount', 'EstimatedAmount')}
              <Field label="Currency" error={fieldError('Currency')}>
                {(p) => (
                  <select {...p} className={inputClass} value={draft.Currency} onChange={change('Currency')}>
                    {/* a currency set elsewhere (the API takes any ISO code) stays shown and selected */}
                    {[...new Set(['EUR', 'USD', 'GBP', draft.Currency])].map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                )}
              </Field>
              {decimalField('Probability (%)', 'Probability')}
              <Field label="Expected order date" error={fieldError('ExpectedOrderDate')}>
                {(p) => (
                  <input
                    {...p}
                    type="date"
                    className={inputClass}
                    value={draft.ExpectedOrderDate}
                    onChange={change('ExpectedOrderDate')}
                  />
                )}
              </Field>
              <Field label="Phase" error={fieldError('Phase')}>
                {(p) => (
                  <select {...p} className={inputClass} value={draft.Phase} onChange={change('Phase')}>
                    {!draft.Phase && <option value="">No phase</option>}
                    {(phases.data ?? (o.Phase ? [o.Phase] : [])).map((phase) => (
                      <option key={phase.ID} value={phase.ID}>
                        {phase.Name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <ReadOnly label="Weighted amount">{formatMoney(o.WeightedAmount, o.Currency)}</ReadOnly>
            </div>
          </Section>

          <Section title="Customer and team">
            <div className="grid grid-cols-2 gap-4">
              <ReadOnly label="Customer">{o.Relationship?.Name}</ReadOnly>
              <ReadOnly label="Contact">
                {o.Contact && (
                  <>
                    {repName(o.Contact)}
                    {o.Contact.EmailAddress && (
                      <span className="block text-xs break-all text-slate-500">{o.Contact.EmailAddress}</span>
                    )}
                  </>
                )}
              </ReadOnly>
            </div>
            <div className="grid grid-cols-2 gap-4">
              <Field label="Sales representative" error={fieldError('SalesRepresentative')}>
                {(p) => (
                  <select
                    {...p}
                    className={inputClass}
                    value={draft.SalesRepresentative}
                    onChange={change('SalesRepresentative')}
                  >
                    <option value="">Unassigned</option>
                    {(reps.data ?? (o.SalesRepresentative ? [o.SalesRepresentative] : [])).map((rep) => (
                      <option key={rep.ID} value={rep.ID}>
                        {repName(rep)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Source" error={fieldError('Source')}>
                {(p) => (
                  <select {...p} className={inputClass} value={draft.Source} onChange={change('Source')}>
                    <option value="">Unknown</option>
                    {(sources.data ?? (o.Source ? [{ ID: o.Source.ID, Name: o.Source.Name }] : [])).map(
                      (s) => (
                        <option key={s.ID} value={s.ID}>
                          {s.Name}
                        </option>
                      ),
                    )}
                  </select>
                )}
              </Field>
            </div>
          </Section>

          {(o.Phase?.IsLost || o.LostReason || o.LostToCompetitor) && (
            <Section title="Lost">
              <div className="grid grid-cols-2 gap-4">
                <ReadOnly label="Lost reason">{o.LostReason?.Name}</ReadOnly>
                <ReadOnly label="Lost to competitor">{o.LostToCompetitor?.Name}</ReadOnly>
              </div>
            </Section>
          )}

          <Section title="Product lines">
            <ProductLinesTable opportunity={o} />
            {totals && (
              <p className="text-xs text-slate-500">
                {o.NumberOfProductLines} lines · margin {formatMoney(o.TotalMargin, o.Currency)}
              </p>
            )}
          </Section>
        </fieldset>
        <Section title="Record">
          <div className="grid grid-cols-2 gap-4">
            <ReadOnly label="Created">{formatDate(o.CreationDate)}</ReadOnly>
            <ReadOnly label="Last changed">{formatDate(o.LastMutationDate)}</ReadOnly>
            <ReadOnly label="Status">{o.IsClosed ? 'Closed' : 'Open'}</ReadOnly>
            <ReadOnly label="Pipeline">{o.Pipeline?.Name}</ReadOnly>
          </div>
        </Section>
        <DealHistory opportunity={o} />
      </section>

      {readOnly ? (
        <div className="flex items-center gap-2 border-t border-slate-200 bg-slate-50 px-6 py-3">
          <p className="flex-1 text-xs text-slate-600">{access.label}: read only</p>
          <Button onClick={onClose}>Close</Button>
        </div>
      ) : (
        <div className="flex items-center gap-2 border-t border-slate-200 bg-slate-50 px-6 py-3">
          <Button variant="ghostDanger" onClick={() => setConfirmDelete(true)}>
            <TrashIcon width={14} height={14} /> Delete
          </Button>
          <div className="flex-1" />
          <p role="status" className="text-xs text-emerald-700">
            {saved && !dirty ? 'All changes saved' : ''}
          </p>
          {dirty && (
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(initial);
                setErrors({});
                setFormError(undefined);
              }}
            >
              Discard
            </Button>
          )}
          <Button variant="primary" type="submit" disabled={!dirty || update.isPending}>
            {update.isPending ? 'Saving…' : 'Save changes'}
          </Button>
        </div>
      )}

      {confirmDelete && (
        <Dialog
          title="Delete this opportunity?"
          description={
            <>
              <strong className="font-semibold text-slate-800">{o.Subject}</strong> and its product lines will
              be deleted. This cannot be undone.
            </>
          }
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
              <Button
                variant="danger"
                disabled={remove.isPending}
                onClick={() =>
                  remove.mutate(o['@odata.etag'], {
                    onSuccess: () => {
                      showToast(`Deleted “${o.Subject}”.`, 'success');
                      onClose();
                    },
                    onError: (error) => {
                      setConfirmDelete(false);
                      setFormError(describeError(error));
                    },
                  })
                }
              >
                {remove.isPending ? 'Deleting…' : 'Delete'}
              </Button>
            </>
          }
        />
      )}
    </form>
  );
}
