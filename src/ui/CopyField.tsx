// A secret or a link shown once, to copy: read-only text with a Copy button that says whether
// copying worked (a browser may refuse the clipboard; the text is then selected to copy by hand).
import { useId, useRef, useState } from 'react';
import { Button } from './Button';
import { inputClass } from './Field';

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      input.current?.select();
      setState('failed');
    }
  };
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-600">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          value={value}
          onFocus={(e) => e.target.select()}
          className={`${inputClass} min-w-0 font-mono`}
        />
        <Button onClick={copy} className="shrink-0">
          {state === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p role="status" className="min-h-4 text-xs text-slate-600">
        {state === 'copied'
          ? 'Copied to the clipboard.'
          : state === 'failed'
            ? 'This browser did not allow copying: the text is selected, copy it with Ctrl+C or ⌘C.'
            : ''}
      </p>
    </div>
  );
}
