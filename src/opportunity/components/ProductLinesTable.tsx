import { formatMoney } from '../../lib/format';
import type { OpportunityDetail } from '../api/opportunity-query';

export function ProductLinesTable({ opportunity }: { opportunity: OpportunityDetail }) {
  const lines = opportunity.ProductLines ?? [];
  const currency = opportunity.Currency;
  if (lines.length === 0) return <p className="text-sm text-slate-500">No product lines.</p>;
  const sum = (pick: (l: (typeof lines)[number]) => number | null | undefined) =>
    lines.reduce((total, line) => total + (pick(line) ?? 0), 0);
  return (
    <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
      <table className="w-full text-sm">
        <caption className="sr-only">Product lines</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">
              Description
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Qty
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Price
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Disc.
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Total
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {lines.map((line) => (
            <tr key={line.ID}>
              <td className="px-3 py-2">
                <div className="font-medium text-slate-800">{line.Description}</div>
                {line.Product?.Name && line.Product.Name !== line.Description && (
                  <div className="text-xs text-slate-500">{line.Product.Name}</div>
                )}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{line.Quantity}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatMoney(line.Price, currency)}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {line.DiscountPercentage ? `${line.DiscountPercentage}%` : '–'}
              </td>
              <td className="px-3 py-2 text-right font-medium tabular-nums">
                {formatMoney(line.Total, currency)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot className="bg-slate-50 text-sm tabular-nums">
          <tr>
            <th scope="row" colSpan={4} className="px-3 py-1.5 text-right font-normal text-slate-500">
              Subtotal excl. VAT
            </th>
            <td className="px-3 py-1.5 text-right">
              {formatMoney(
                sum((l) => l.Total),
                currency,
              )}
            </td>
          </tr>
          <tr>
            <th scope="row" colSpan={4} className="px-3 py-1.5 text-right font-normal text-slate-500">
              VAT
            </th>
            <td className="px-3 py-1.5 text-right">
              {formatMoney(
                sum((l) => l.VatAmount),
                currency,
              )}
            </td>
          </tr>
          <tr>
            <th scope="row" colSpan={4} className="px-3 py-1.5 text-right font-semibold text-slate-700">
              Total incl. VAT
            </th>
            <td className="px-3 py-1.5 text-right font-semibold">
              {formatMoney(
                sum((l) => l.TotalIncludingVat),
                currency,
              )}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
