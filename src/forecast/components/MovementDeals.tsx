// The deals behind one bar of the movement waterfall, each opening on the board in its drawer.
import { formatDate, formatMoney } from '../../lib/format';
import { navigate } from '../../lib/url-state';
import type { WaterfallStep } from '../model/build-movement';
import type { MoneyView } from '../model/money-view';

export function MovementDeals({
  step,
  currency,
  money,
  pipelineId,
}: {
  step: WaterfallStep;
  currency: string;
  money: MoneyView;
  pipelineId: string;
}) {
  const cell = 'px-2 py-1 text-right tabular-nums';
  const inView = (amount: number | null, code: string) =>
    amount === null ? '–' : formatMoney(amount * (money.rateOf(code) ?? 0), currency);
  const deals = [...step.deals].sort(
    (a, b) => Math.abs((b.Now ?? 0) - (b.Then ?? 0)) - Math.abs((a.Now ?? 0) - (a.Then ?? 0)),
  );
  return (
    <div className="mt-3 overflow-x-auto rounded-lg ring-1 ring-slate-200">
      <table className="w-full text-sm">
        <caption className="bg-slate-50 px-2 py-1.5 text-left text-xs font-medium text-slate-700">
          {step.label}: {deals.length} {deals.length === 1 ? 'deal' : 'deals'}
        </caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1 text-left font-medium">
              Deal
            </th>
            <th scope="col" className="px-2 py-1 text-left font-medium">
              Expected order date
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Then ({currency})
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Now ({currency})
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {deals.map((deal) => {
            const href = `/?pipeline=${encodeURIComponent(pipelineId)}&opportunity=${encodeURIComponent(deal.ID)}`;
            const { Then: before, Now: after } = deal.ExpectedOrderDate;
            return (
              <tr key={deal.ID}>
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  {deal.Exists ? (
                    <a
                      href={href}
                      className="text-indigo-700 hover:underline"
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(href);
                      }}
                    >
                      {deal.Subject || 'Untitled deal'}
                    </a>
                  ) : (
                    <span>
                      {deal.Subject || 'Untitled deal'}{' '}
                      <span className="text-xs text-slate-600">(deleted)</span>
                    </span>
                  )}
                </th>
                <td className="px-2 py-1 text-slate-700">
                  {before === after
                    ? formatDate(after)
                    : `${formatDate(before) || 'none'} → ${formatDate(after) || 'none'}`}
                </td>
                <td className={cell}>{inView(deal.Then, deal.Currency)}</td>
                <td className={cell}>{inView(deal.Now, deal.Currency)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
