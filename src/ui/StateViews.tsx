// Loading, empty and error states, sized like the content they stand in for (no layout jumps).
import type { ReactNode } from 'react';
import { Button } from './Button';
import { AlertIcon } from './icons';

export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded-md bg-slate-200/80 ${className}`} />;
}

export function ErrorState({
  message,
  onRetry,
  compact,
}: {
  message: string;
  onRetry?: () => void;
  compact?: boolean;
}) {
  return (
    <div
      role="alert"
      className={`flex flex-col items-center gap-2 rounded-lg border border-rose-200 bg-rose-50 text-center text-sm text-rose-800 ${compact ? 'p-3' : 'p-8'}`}
    >
      <AlertIcon className="text-rose-500" width={compact ? 18 : 24} height={compact ? 18 : 24} />
      <p>{message}</p>
      {onRetry && (
        <Button onClick={onRetry} className="mt-1">
          Try again
        </Button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-1 rounded-lg border border-dashed border-slate-300 px-3 py-6 text-center">
      <p className="text-sm font-medium text-slate-600">{title}</p>
      {children && <div className="text-xs text-slate-600">{children}</div>}
    </div>
  );
}
