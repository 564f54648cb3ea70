import { useEffect } from 'react';
import { CloseIcon } from './icons';
import { dismissToast, type Toast, useToasts } from './toast-store';

const tones: Record<Toast['tone'], string> = {
  error: 'border-rose-200 bg-rose-50 text-rose-900',
  success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
  info: 'border-slate-200 bg-white text-slate-800',
};

function ToastItem({ toast }: { toast: Toast }) {
  useEffect(() => {
    // Errors stay until read and dismissed; confirmations go by themselves.
    if (toast.tone === 'error') return;
    const timer = setTimeout(() => dismissToast(toast.id), 4000);
    return () => clearTimeout(timer);
  }, [toast]);
  return (
    <div
      role={toast.tone === 'error' ? 'alert' : 'status'}
      className={`pointer-events-auto flex items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${tones[toast.tone]}`}
    >
      <p className="flex-1">{toast.message}</p>
      <button
        type="button"
        onClick={() => dismissToast(toast.id)}
        className="rounded p-0.5 opacity-60 hover:opacity-100"
        aria-label="Dismiss message"
      >
        <CloseIcon />
      </button>
    </div>
  );
}

export function Toaster() {
  const toasts = useToasts();
  return (
    <div className="pointer-events-none fixed bottom-4 left-1/2 z-[60] flex w-full max-w-md -translate-x-1/2 flex-col gap-2 px-4">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}
