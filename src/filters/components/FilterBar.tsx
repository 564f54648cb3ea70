// The filter bar. Selects and dates apply at once; typed values apply when the rep pauses,
// each as one history entry, so Back undoes a filter. The board and the forecast share it: a
// screen can leave out controls that mean nothing there (the forecast has no open/closed switch).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { phasesQuery, repName, salesRepsQuery, sourcesQuery } from '../../api/lookup-queries';
import { Button } from '../../ui/Button';
import { FilterIcon, UserIcon } from '../../ui/icons';
import { activeFilterCount, type BoardFilters, type FilterKey } from '../filter-model';
import { useBoardFilters } from '../hooks/use-board-filters';

const control =
  'rounded-md border-0 bg-white py-1.5 text-sm text-slate-800 shadow-sm ring-1 ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none';

/** A typed value, applied after a pause; follows the URL when Back changes it. */
function useTypedValue(value: string, apply: (value: string) => void) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => apply(draft), 400);
    return () => clearTimeout(timer);
  }, [draft, value, apply]);
  return [draft, setDraft] as const;
}

function TypedInput({
  label,
  value,
  onApply,
  type = 'text',
  className = '',
  placeholder,
}: {
  label: string;
  value: string;
  onApply: (value: string) => void;
  type?: 'text' | 'number';
  className?: string;
  placeholder?: string;
}) {
  const [draft, setDraft] = useTypedValue(value, onApply);
  return (
    <input
      type={type}
      aria-label={label}
      placeholder={placeholder ?? label}
      value={draft}
      min={type === 'number' ? 0 : undefined}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onApply(draft);
      }}
      className={`${control} px-2.5 ${className}`}
    />
  );
}

export function FilterBar({
  pipelineId,
  omit = [],
}: {
  /** the pipeline on screen, whose phases the phase filter offers */
  pipelineId?: string;
  /** filters this screen does not offer */
  omit?: FilterKey[];
} = {}) {
  const { filters, setFilters, me } = useBoardFilters();
  const reps = useQuery(salesRepsQuery());
  const sources = useQuery(sourcesQuery());
  const phases = useQuery({ ...phasesQuery(pipelineId ?? ''), enabled: !!pipelineId });
  const shows = (key: FilterKey) => !omit.includes(key);
  const advancedKeys: FilterKey[] = [
    'minProbability',
    'minEstimated',
    'minWeighted',
    'expectedFrom',
    'expectedBefore',
    'createdAfter',
    'currency',
  ];
  const [showMore, setShowMore] = useState(() => advancedKeys.some((k) => filters[k] !== undefined));
  const count = activeFilterCount(filters);

  const set = <K extends FilterKey>(key: K, value: BoardFilters[K] | undefined) => {
    const next = { ...filters };
    if (value === undefined || value === '') delete next[key];
    else next[key] = value;
    setFilters(next);
  };
  const setNumber = (key: FilterKey) => (raw: string) =>
    set(key, raw.trim() === '' || !Number.isFinite(Number(raw)) ? undefined : (Number(raw) as never));

  return (
    <search className="border-b border-slate-200 bg-white px-4 py-2.5" aria-label="Filters">
      <div className="flex flex-wrap items-center gap-2">
        <TypedInput
          label="Subject contains"
          placeholder="Search subjects…"
          value={filters.subject ?? ''}
          onApply={(v) => set('subject', v.trim() || undefined)}
          className="w-56"
        />
        {shows('status') && (
          <fieldset className="flex rounded-md bg-slate-100 p-0.5 text-sm" aria-label="Status">
            {(
              [
                ['', 'All'],
                ['open', 'Open'],
                ['closed', 'Closed'],
              ] as const
            ).map(([value, label]) => (
              <label
                key={label}
                className={`cursor-pointer rounded px-2.5 py-1 font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 ${
                  (filters.status ?? '') === value
                    ? 'bg-white text-slate-900 shadow-sm'
                    : 'text-slate-600 hover:text-slate-900'
                }`}
              >
                <input
                  type="radio"
                  name="status"
                  className="sr-only"
                  checked={(filters.status ?? '') === value}
                  onChange={() => set('status', value || undefined)}
                />
                {label}
              </label>
            ))}
          </fieldset>
        )}
        {me && (
          <button
            type="button"
            aria-pressed={!!filters.mine}
            onClick={() => {
              // one or the other: my deals, or a chosen rep's
              const { rep: _rep, mine: _mine, ...rest } = filters;
              setFilters(filters.mine ? rest : { ...rest, mine: true });
            }}
            className={`flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium shadow-sm ring-1 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 ${
              filters.mine
                ? 'bg-indigo-600 text-white ring-indigo-600 hover:bg-indigo-700'
                : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50'
            }`}
          >
            <UserIcon width={14} height={14} /> My deals
          </button>
        )}
        <select
          aria-label="Sales rep"
          value={filters.rep ?? ''}
          onChange={(e) => {
            const { mine: _mine, ...rest } = filters;
            setFilters(e.target.value ? { ...rest, rep: e.target.value } : { ...rest, rep: undefined });
          }}
          className={`${control} max-w-48 pr-8 pl-2.5`}
        >
          <option value="">All sales reps</option>
          {reps.data?.map((rep) => (
            <option key={rep.ID} value={rep.ID}>
              {repName(rep)}
            </option>
          ))}
        </select>
        <select
          aria-label="Source"
          value={filters.source ?? ''}
          onChange={(e) => set('source', e.target.value || undefined)}
          className={`${control} max-w-44 pr-8 pl-2.5`}
        >
          <option value="">All sources</option>
          {sources.data?.map((s) => (
            <option key={s.ID} value={s.ID}>
              {s.Name}
            </option>
          ))}
        </select>
        {pipelineId && shows('phase') && (
          <select
            aria-label="Phase"
            value={filters.phase ?? ''}
            onChange={(e) => set('phase', e.target.value || undefined)}
            className={`${control} max-w-48 pr-8 pl-2.5`}
          >
            <option value="">All phases</option>
            {phases.data?.map((p) => (
              <option key={p.ID} value={p.ID}>
                {p.Name}
              </option>
            ))}
          </select>
        )}
        <Button variant="ghost" onClick={() => setShowMore((v) => !v)} aria-expanded={showMore}>
          <FilterIcon width={14} height={14} /> {showMore ? 'Fewer filters' : 'More filters'}
        </Button>
        {count > 0 && (
          <Button variant="ghost" onClick={() => setFilters({})} className="text-indigo-700">
            Clear {count} {count === 1 ? 'filter' : 'filters'}
          </Button>
        )}
      </div>
      {showMore && (
        <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-600">
          <div className="flex items-center gap-1.5">
            <span aria-hidden="true">Probability above</span>
            <TypedInput
              type="number"
              label="Probability above"
              placeholder="%"
              value={filters.minProbability?.toString() ?? ''}
              onApply={setNumber('minProbability')}
              className="w-20"
            />
          </div>
          <div className="flex items-center gap-1.5">
            <span aria-hidden="true">Estimated above</span>
            <TypedInput
              type="number"
              label="Estimated amount above"
              placeholder="0"
              value={filters.minEstimated?.toString() ?? ''}
              onApply={setNumber('minEstimated')}
              className="w-28"
            />
          </div>
          <div className="flex items-center gap-1.5">
            <span aria-hidden="true">Weighted above</span>
            <TypedInput
              type="number"
              label="Weighted amount above"
              placeholder="0"
              value={filters.minWeighted?.toString() ?? ''}
              onApply={setNumber('minWeighted')}
              className="w-28"
            />
          </div>
          <label className="flex items-center gap-1.5">
            Expected from
            <input
              type="date"
              aria-label="Expected order date from"
              value={filters.expectedFrom ?? ''}
              onChange={(e) => set('expectedFrom', e.target.value || undefined)}
              className={`${control} px-2`}
            />
          </label>
          <label className="flex items-center gap-1.5">
            Expected before
            <input
              type="date"
              aria-label="Expected order date before"
              value={filters.expectedBefore ?? ''}
              onChange={(e) => set('expectedBefore', e.target.value || undefined)}
              className={`${control} px-2`}
            />
          </label>
          <label className="flex items-center gap-1.5">
            Created after
            <input
              type="date"
              aria-label="Created after"
              value={filters.createdAfter ?? ''}
              onChange={(e) => set('createdAfter', e.target.value || undefined)}
              className={`${control} px-2`}
            />
          </label>
          <div className="flex items-center gap-1.5">
            <span aria-hidden="true">Currency</span>
            <TypedInput
              label="Currency"
              placeholder="EUR"
              value={filters.currency ?? ''}
              onApply={(v) =>
                set('currency', /^[a-z]{3}$/i.test(v.trim()) ? v.trim().toUpperCase() : undefined)
              }
              className="w-20 uppercase"
            />
          </div>
        </div>
      )}
    </search>
  );
}
