// Connection and display preferences, kept in localStorage so a rep sets them once per browser.
import { useSyncExternalStore } from 'react';

export interface Settings {
  /** service root, e.g. `/v1/odata` or `https://api.tribecrm.nl/v1/odata` */
  baseUrl: string;
  /** bearer token; empty for our own service without API_TOKEN */
  token: string;
  /** a card untouched for this many days gets the stale marker */
  staleDays: number;
}

export const defaultSettings: Settings = { baseUrl: '/v1/odata', token: '', staleDays: 14 };

const storageKey = 'dealdeck.settings';
const listeners = new Set<() => void>();
let cached: Settings | undefined;

function read(): Settings {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Partial<Settings>;
    return {
      baseUrl:
        typeof stored.baseUrl === 'string' && stored.baseUrl.trim()
          ? stored.baseUrl
          : defaultSettings.baseUrl,
      token: typeof stored.token === 'string' ? stored.token : defaultSettings.token,
      staleDays:
        typeof stored.staleDays === 'number' && stored.staleDays > 0
          ? stored.staleDays
          : defaultSettings.staleDays,
    };
  } catch {
    // A corrupt entry must not lock the rep out of the board.
    return defaultSettings;
  }
}

export function getSettings(): Settings {
  cached ??= read();
  return cached;
}

export function saveSettings(next: Settings) {
  localStorage.setItem(storageKey, JSON.stringify(next));
  cached = next;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useSettings = () => useSyncExternalStore(subscribe, getSettings, getSettings);
