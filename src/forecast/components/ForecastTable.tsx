// A chart's numbers as a table: what screen readers read, what people copy, what the CSV holds.
import { formatMoney } from '../../lib/format';
import { navigate } from '../../lib/url-state';
import type { ForecastRow } from '../model/build-forecast';

export function ForecastTable({
  caption,
  keyLabel,
  rows,
  currency,
  hrefOf,
}: {
  caption: string;
  keyLabel: string;
  rows: ForecastRow[];
  currency: string;
  hrefOf: (row: ForecastRow) => string | undefined;
}) {
  const total = rows.reduce(
    (t, r) => ({
      count: t.count + r.count,
      estimated: t.estimated + r.estimated,
      weighted: t.weighted + r.weighted,
    }),
    { count: 0, estimated: 0, weighted: 0 },
  );
  const cell = 'px-2 py-1 text-right tabular-nums';
  return (
    <table className="w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="border-b border-slate-200 text-xs text-slate-500">
        <tr>
          <th scope="col" className="px-2 py-1 text-left font-medium">
            {keyLabel}
          </th>
          <th scope="col" className={`${cell} font-medium`}>
            Deals
          </th>
          <th scope="col" className={`${cell} font-medium`}>
            Estimated ({currency})
          </th>
          <th scope="col" className={`${cell} font-medium`}>
            Weighted ({currency})
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => {
          const href = hrefOf(row);
          return (
            <tr key={row.key} className={row.kind === 'overdue' ? 'text-rose-700' : undefined}>
              <th scope="row" className="px-2 py-1 text-left font-normal">
                {href ? (
                  <a
                    href={href}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(href);
                    }}
                    className="text-indigo-700 hover:underline"
                    title="Open these deals on the board"
                  >
                    {row.label}
                  </a>
                ) : (
                  row.label
                )}
              </th>
              <td className={cell}>{row.count}</td>
              <td className={cell}>{formatMoney(row.estimated, currency)}</td>
              <td className={cell}>{formatMoney(row.weighted, currency)}</td>
            </tr>
          );
        })}
      </tbody>
      <tfoot className="border-t border-slate-300 font-medium">
        <tr>
          <th scope="row" className="px-2 py-1 text-left">
            Total
          </th>
          <td className={cell}>{total.count}</td>
          <td className={cell}>{formatMoney(total.estimated, currency)}</td>
          <td className={cell}>{formatMoney(total.weighted, currency)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
