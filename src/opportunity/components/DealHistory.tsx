// The deal's timeline in the drawer: what changed in words, who and when, newest first, 20 at a
// time ("Show more" reveals the next 20 and fetches the server's next page when it needs it).
// Where the service has no History (the hosted CRM) the section is not there at all.
import { useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../../api/odata-error';
import { formatDateTime, formatTimeAgo } from '../../lib/format';
import { Button } from '../../ui/Button';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import type { HistoryName } from '../api/history-names-query';
import { useHistoryNames } from '../api/history-names-query';
import { useHistory } from '../api/history-query';
import type { OpportunityDetail } from '../api/opportunity-query';
import { currenciesOf, type DescribedChange, describeChange } from '../describe-change';

const step = 20;

const dots: Record<DescribedChange['tone'], string> = {
  won: 'bg-emerald-600',
  lost: 'bg-rose-600',
  neutral: 'bg-indigo-500',
};

const titleColours: Record<DescribedChange['tone'], string> = {
  won: 'text-emerald-800',
  lost: 'text-rose-800',
  neutral: 'text-slate-900',
};

/** Names the drawer already has (customer, contact, current phase ...): a fallback for the lists. */
function namesOf(o: OpportunityDetail): HistoryName[] {
  const person = (
    p: { ID: string; FirstName?: string | null; LastName?: string | null } | null | undefined,
  ) => (p ? [{ ID: p.ID, Name: [p.FirstName, p.LastName].filter(Boolean).join(' ') }] : []);
  const named = (r: { ID: string; Name?: string | null } | null | undefined) =>
    r?.Name ? [{ ID: r.ID, Name: r.Name }] : [];
  return [
    ...named(o.Relationship),
    ...person(o.Contact),
    ...person(o.SalesRepresentative),
    ...named(o.Pipeline),
    ...named(o.Source),
    ...named(o.LostReason),
    ...named(o.LostToCompetitor),
    ...(o.Phase
      ? [{ ID: o.Phase.ID, Name: o.Phase.Name, IsWon: o.Phase.IsWon, IsLost: o.Phase.IsLost }]
      : []),
  ];
}

export function DealHistory({ opportunity: o }: { opportunity: OpportunityDetail }) {
  const history = useHistory(o.ID);
  const headingId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const [shown, setShown] = useState(step);
  const [focusFrom, setFocusFrom] = useState<number>();
  const entries = (history.data?.pages ?? []).flatMap((page) => page?.value ?? []);
  const names = useHistoryNames(entries);
  const known = new Map([...namesOf(o).map((n) => [n.ID, n] as const), ...names.names]);
  const currencies = currenciesOf(entries, o.Currency);
  const described = entries.flatMap((change, i) => {
    const text = describeChange(change, known, currencies[i]);
    return text ? [{ change, text }] : [];
  });
  const visible = described.slice(0, shown);
  const more = described.length > shown || history.hasNextPage;

  useEffect(() => {
    // After "Show more", the first new entry takes the focus (the button may be gone).
    if (focusFrom === undefined || visible.length <= focusFrom) return;
    (listRef.current?.children[focusFrom] as HTMLElement | undefined)?.focus();
    setFocusFrom(undefined);
  }, [focusFrom, visible.length]);

  // No History on this service: no section (checked on the first page only).
  if (history.data && history.data.pages[0] === null) return null;

  const showMore = () => {
    setFocusFrom(visible.length);
    setShown((s) => s + step);
    if (described.length < shown + step && history.hasNextPage) history.fetchNextPage();
  };

  // Names are awaited for the first page; a later page's new names fill in as they come.
  const loading = history.isPending || (names.pending && history.data?.pages.length === 1);

  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h3 id={headingId} className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
        History
      </h3>
      {loading ? (
        <div aria-busy="true" className="space-y-3">
          <span className="sr-only">Loading history</span>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : history.isError && !history.data ? (
        <ErrorState compact message={describeError(history.error)} onRetry={() => history.refetch()} />
      ) : visible.length === 0 && !more ? (
        <p className="text-sm text-slate-600">No changes recorded yet.</p>
      ) : (
        <>
          <ol ref={listRef} className="space-y-4 border-l border-slate-200 pl-4">
            {visible.map(({ change, text }) => (
              <li key={change.Sequence} tabIndex={-1} className="relative outline-none">
                <span
                  aria-hidden="true"
                  className={`absolute top-1.5 -left-[21px] size-2.5 rounded-full ring-2 ring-white ${dots[text.tone]}`}
                />
                <p className={`text-sm font-medium ${titleColours[text.tone]}`}>{text.title}</p>
                {text.details.length > 0 && (
                  <p className="text-sm text-slate-700">{text.details.join(', ')}</p>
                )}
                <p className="text-xs text-slate-600">
                  {change.ActorName}
                  <span aria-hidden="true"> · </span>
                  <span className="sr-only">, </span>
                  <time dateTime={change.At} title={formatDateTime(change.At)}>
                    {formatTimeAgo(change.At)}
                  </time>
                </p>
              </li>
            ))}
          </ol>
          {history.isFetchNextPageError && (
            <ErrorState
              compact
              message={describeError(history.error)}
              onRetry={() => history.fetchNextPage()}
            />
          )}
          {more && (
            <Button variant="ghost" onClick={showMore} disabled={history.isFetchingNextPage}>
              {history.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </Button>
          )}
        </>
      )}
    </section>
  );
}
