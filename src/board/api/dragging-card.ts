// The card a hand is dragging right now, for the live updates: a change to it waits for the drop.
type Listener = () => void;

let dragging: string | null = null;
const listeners = new Set<Listener>();

export const draggingCard = {
  get: () => dragging,
  set(id: string | null) {
    if (dragging === id) return;
    dragging = id;
    for (const listener of listeners) listener();
  },
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};
