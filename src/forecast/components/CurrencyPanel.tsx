// How the forecast adds money up: one currency's deals alone, or all converted into the report
// currency at the rates in the table below, which the manager sees and edits.
import { useId } from 'react';
import type { useRateTable } from '../hooks/use-rate-table';

const control =
  'rounded-md border-0 bg-white py-1 text-sm text-slate-800 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-indigo-500 focus:outline-none';

export function CurrencyPanel({
  currency,
  currencies,
  rates,
  excluded,
  onCurrency,
}: {
  /** the currency filter, when one currency is shown alone */
  currency?: string;
  currencies: string[];
  rates: ReturnType<typeof useRateTable>;
  excluded: string[];
  onCurrency: (code: string | undefined) => void;
}) {
  const id = useId();
  const { table } = rates;
  const others = currencies.filter((c) => c !== table.base);
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <h2 id={`${id}-title`} className="text-xs font-medium tracking-wide text-slate-500 uppercase">
        Currency
      </h2>
      <label className="mt-2 flex items-center gap-2 text-sm">
        <span className="sr-only">Amounts</span>
        <select
          value={currency ?? ''}
          onChange={(e) => onCurrency(e.target.value || undefined)}
          className={`${control} w-full pr-8 pl-2`}
          aria-label="Amounts"
        >
          <option value="">All deals, converted to {table.base}</option>
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c} deals only
            </option>
          ))}
        </select>
      </label>
      {!currency && (
        <>
          <table className="mt-3 w-full text-sm">
            <caption className="mb-1 text-left text-xs text-slate-500">
              Exchange rates into{' '}
              <select
                aria-label="Report currency"
                value={table.base}
                onChange={(e) => rates.setBase(e.target.value)}
                className={`${control} py-0 pr-7 pl-1.5 text-xs`}
              >
                {[table.base, ...others.filter((c) => table.rates[c])].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              {rates.isDefault && <span className="ml-1 text-amber-700">(example rates: set your own)</span>}
            </caption>
            <tbody>
              {others.map((code) => (
                <tr key={code}>
                  <th scope="row" className="py-0.5 pr-2 text-left font-normal text-slate-600">
                    1 {code} =
                  </th>
                  <td className="py-0.5">
                    <input
                      type="number"
                      step="any"
                      min={0}
                      aria-label={`${table.base} per ${code}`}
                      defaultValue={table.rates[code] ?? ''}
                      key={`${table.base}-${code}-${table.rates[code]}`}
                      placeholder="rate"
                      onBlur={(e) =>
                        rates.setRate(code, e.target.value === '' ? undefined : Number(e.target.value))
                      }
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') e.currentTarget.blur();
                      }}
                      className={`${control} w-24 px-2 text-right tabular-nums ${excluded.includes(code) ? 'ring-2 ring-amber-400' : ''}`}
                    />{' '}
                    <span className="text-slate-500">{table.base}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {excluded.length > 0 && (
            <p role="status" className="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-800">
              Not included, no rate: {excluded.join(', ')}. Enter a rate to add these deals.
            </p>
          )}
        </>
      )}
    </section>
  );
}
