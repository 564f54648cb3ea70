// How the board hears about other people's changes: the change stream ('live'), a refetch every
// 30 s where the service has no stream ('polling'), or not at all (nobody signed in).
import { useSyncExternalStore } from 'react';

export type LiveMode = 'off' | 'live' | 'polling';

export const pollIntervalMs = 30_000;

let mode: LiveMode = 'off';
const listeners = new Set<() => void>();

export const liveMode = {
  get: () => mode,
  set(next: LiveMode) {
    if (mode === next) return;
    mode = next;
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

export const useLiveMode = () => useSyncExternalStore(liveMode.subscribe, liveMode.get, liveMode.get);
