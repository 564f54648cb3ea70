// How current the board is, said quietly: "Live" beside the stream, "Updates every 30 s" without.
import { useLiveMode } from '../api/live-mode';

export function LiveStatus({ className = '' }: { className?: string }) {
  const mode = useLiveMode();
  if (mode === 'live') {
    return (
      <span
        role="status"
        aria-label="Live: changes by others show at once"
        title="Changes by others show at once"
        className={`flex items-center gap-1 text-[11px] leading-3 font-medium text-emerald-800 ${className}`}
      >
        <span aria-hidden="true" className="size-1.5 rounded-full bg-emerald-600" />
        Live
      </span>
    );
  }
  if (mode === 'polling') {
    return (
      <span role="status" className={`text-[11px] leading-3 text-slate-600 ${className}`}>
        Updates every 30 s
      </span>
    );
  }
  return null;
}
