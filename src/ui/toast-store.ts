// Messages that must outlive the component that raised them (a rolled-back drag, a save).
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  message: string;
  tone: 'error' | 'success' | 'info';
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

export function showToast(message: string, tone: Toast['tone'] = 'info') {
  toasts = [...toasts.slice(-3), { id: nextId++, message, tone }];
  emit();
}

export function dismissToast(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
const snapshot = () => toasts;

export const useToasts = () => useSyncExternalStore(subscribe, snapshot, snapshot);
