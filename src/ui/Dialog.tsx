// A modal dialog: labelled, closes on Escape, keeps focus inside while open.
import { type ReactNode, useEffect, useId, useRef } from 'react';

export function Dialog({
  title,
  description,
  onClose,
  children,
  footer,
}: {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children?: ReactNode;
  footer: ReactNode;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useModalFocus(ref, onClose);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="w-full max-w-md rounded-xl bg-white shadow-2xl ring-1 ring-slate-900/5"
      >
        <div className="space-y-2 px-6 pt-5">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          {description && <div className="text-sm text-slate-600">{description}</div>}
        </div>
        {children && <div className="space-y-4 px-6 pt-4">{children}</div>}
        <div className="mt-6 flex justify-end gap-2 rounded-b-xl border-t border-slate-100 bg-slate-50 px-6 py-3">
          {footer}
        </div>
      </div>
    </div>
  );
}

// Open modals, innermost last: Escape closes only the innermost one.
const openModals: { current: () => void }[] = [];

function onDocumentKeyDown(event: KeyboardEvent) {
  if (event.key !== 'Escape' || openModals.length === 0) return;
  event.stopPropagation();
  openModals[openModals.length - 1].current();
}

/** Focus moves into the element, Tab cycles inside it, Escape closes, focus returns on close. */
export function useModalFocus(ref: React.RefObject<HTMLElement | null>, onClose: () => void) {
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const previous = document.activeElement as HTMLElement | null;
    const focusable = () =>
      Array.from(
        element.querySelectorAll<HTMLElement>(
          'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])',
        ),
      );
    (element.querySelector<HTMLElement>('[data-autofocus]') ?? focusable()[0] ?? element).focus();
    // Escape is heard on the document: the content inside may be replaced (loading, then
    // loaded) and take the focus with it.
    const entry = { current: () => onCloseRef.current() };
    if (openModals.length === 0) document.addEventListener('keydown', onDocumentKeyDown);
    openModals.push(entry);
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') return;
      // An inner dialog keeps Tab to itself.
      event.stopPropagation();
      const items = focusable();
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    };
    element.addEventListener('keydown', onKeyDown);
    return () => {
      element.removeEventListener('keydown', onKeyDown);
      openModals.splice(openModals.indexOf(entry), 1);
      if (openModals.length === 0) document.removeEventListener('keydown', onDocumentKeyDown);
      previous?.focus?.();
    };
  }, [ref]);
}
