// A screen of forms and lists (settings, tokens, people): a heading, a line saying what it is
// for, and the content in a readable column.
import { type ReactNode, useId } from 'react';

export function Page({
  title,
  description,
  children,
  wide,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className={`mx-auto w-full ${wide ? 'max-w-4xl' : 'max-w-2xl'} space-y-6 px-4 py-8`}>
        <div>
          <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
          {description && <div className="mt-1 text-sm text-slate-600">{description}</div>}
        </div>
        {children}
      </div>
    </div>
  );
}

/** A white panel on the page, labelled by its heading. */
export function Panel({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section
      aria-labelledby={headingId}
      className="space-y-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6"
    >
      <h2 id={headingId} className="text-sm font-semibold text-slate-800">
        {title}
      </h2>
      {children}
    </section>
  );
}
