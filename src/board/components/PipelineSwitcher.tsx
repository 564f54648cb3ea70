import type { PipelineOption } from '../../api/lookup-queries';

export function PipelineSwitcher({
  pipelines,
  value,
  onChange,
}: {
  pipelines: PipelineOption[];
  value: string | undefined;
  onChange: (id: string) => void;
}) {
  return (
    <label className="flex min-w-0 items-center gap-2 text-sm text-slate-300">
      <span className="sr-only shrink-0 sm:not-sr-only">Pipeline</span>
      <select
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
        className="min-w-0 max-w-full truncate rounded-md border-0 bg-slate-800 py-1.5 pr-8 pl-3 text-sm font-medium text-white ring-1 ring-slate-700 focus:ring-2 focus:ring-indigo-400 focus:outline-none"
        aria-label="Pipeline"
      >
        {pipelines.map((p) => (
          <option key={p.ID} value={p.ID}>
            {p.Name}
          </option>
        ))}
      </select>
    </label>
  );
}
