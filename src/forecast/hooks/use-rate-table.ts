// The manager's exchange-rate table, kept in localStorage like the settings: rates are a
// business decision (budget rates), so the dashboard never fetches them from anywhere.
import { useSyncExternalStore } from 'react';
import { type RateTable, rebase } from '../model/money-view';

const storageKey = 'dealdeck.rates';

/** Indicative starting values, shown as such until the manager sets their own. */
export const defaultRates: RateTable = { base: 'EUR', rates: { USD: 0.92, GBP: 1.17 } };

const listeners = new Set<() => void>();
let cached: RateTable | undefined;

function read(): RateTable {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as RateTable | null;
    if (stored && typeof stored.base === 'string' && stored.rates && typeof stored.rates === 'object') {
      const rates = Object.fromEntries(
        Object.entries(stored.rates).filter(([, r]) => typeof r === 'number' && Number.isFinite(r) && r > 0),
      );
      return { base: stored.base, rates };
    }
  } catch {
    // A corrupt entry falls back to the defaults rather than breaking the forecast.
  }
  return defaultRates;
}

function getRates() {
  cached ??= read();
  return cached;
}

function save(next: RateTable) {
  localStorage.setItem(storageKey, JSON.stringify(next));
  cached = next;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export function useRateTable() {
  const table = useSyncExternalStore(subscribe, getRates, getRates);
  return {
    table,
    /** whether the table is still the built-in example */
    isDefault: localStorage.getItem(storageKey) === null,
    setRate: (code: string, rate: number | undefined) => {
      const rates = { ...table.rates };
      if (rate === undefined || !Number.isFinite(rate) || rate <= 0) delete rates[code];
      else rates[code] = rate;
      save({ ...table, rates });
    },
    setBase: (base: string) => save(rebase(table, base)),
  };
}

/** Forgets the cached table; for tests, which clear localStorage between cases. */
export function resetRateTableCache() {
  cached = undefined;
}
