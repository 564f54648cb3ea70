// Which cards of a column are wired to dnd-kit right now: those near the visible part of the
// column, the focused one and the dragged one. The others are plain articles (see OpportunityCard).
import { useDndMonitor } from '@dnd-kit/core';
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from 'react';

/**
 * Cards this far above or below the visible part of the column are live already: a card that
 * scrolls into view is live the frame after, before a hand can grab it. Every live card
 * re-renders twice per drop, so the margin is about one card (800px made ~50 live cards on a
 * 1440×900 board, 200px ~30).
 */
const margin = '200px';
/** Live before the observer's first report, so a card can be grabbed on the first frame. */
const liveBeforeReport = 12;

export interface LiveCards {
  isLive: (id: string, index: number) => boolean;
  /** a ref callback for each card's article: observed while it is in the DOM */
  observe: (node: HTMLElement | null) => (() => void) | undefined;
  /** makes a card live at once (it took the focus) */
  wake: (id: string) => void;
  /** the card that took the focus last: it stays live while the column scrolls it away */
  focusedId: string | null;
  focusHandOver: FocusHandOver;
}

/** The focus, from a plain article that had it to the sortable one that replaces it. */
export interface FocusHandOver {
  give(id: string): void;
  /** whether `id` was handed the focus; true once */
  take(id: string): boolean;
}

/**
 * Every card with useSortable re-renders when a drag starts or ends, because the hook reads
 * dnd-kit's context: with hundreds of loaded cards that alone cost about a frame per drop.
 * Far-away cards cannot be grabbed by pointer or touch anyway, and keyboard focus wakes them.
 * Where IntersectionObserver is missing (tests in jsdom) every card is live.
 */
export function useLiveCards(listRef: RefObject<HTMLElement | null>): LiveCards {
  const supported = typeof IntersectionObserver !== 'undefined';
  const [near, setNear] = useState<ReadonlySet<string> | null>(null);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const observer = useRef<IntersectionObserver | null>(null);
  const pending = useRef(new Set<HTMLElement>());
  // A card that leaves the window while it is dragged (the column scrolls under it) stays
  // live: unmounting its sortable would end the drag.
  const dragging = useRef<string | null>(null);

  useDndMonitor({
    onDragStart: ({ active }) => {
      dragging.current = String(active.id);
    },
    onDragEnd: () => {
      dragging.current = null;
    },
    onDragCancel: () => {
      dragging.current = null;
    },
  });

  useEffect(() => {
    if (!supported) return;
    const io = new IntersectionObserver(
      (entries) =>
        setNear((current) => {
          const next = new Set(current ?? []);
          for (const entry of entries) {
            const id = (entry.target as HTMLElement).dataset.cardId;
            if (!id) continue;
            if (entry.isIntersecting) next.add(id);
            else if (id !== dragging.current) next.delete(id);
          }
          return next;
        }),
      { root: listRef.current, rootMargin: `${margin} 0px` },
    );
    observer.current = io;
    // Cards rendered before the observer existed.
    for (const node of pending.current) io.observe(node);
    pending.current.clear();
    return () => {
      io.disconnect();
      observer.current = null;
    };
  }, [supported, listRef]);

  const observe = useCallback((node: HTMLElement | null) => {
    if (!node) return undefined;
    if (observer.current) observer.current.observe(node);
    else pending.current.add(node);
    return () => {
      observer.current?.unobserve(node);
      pending.current.delete(node);
    };
  }, []);

  const isLive = useCallback(
    (id: string, index: number) => {
      if (!supported || id === focusedId) return true;
      return near ? near.has(id) : index < liveBeforeReport;
    },
    [supported, near, focusedId],
  );

  const focusHandOver = useMemo<FocusHandOver>(() => {
    let handedTo: string | null = null;
    return {
      // Good for the commit that swaps the articles only (its layout effects run before any
      // microtask): a card that unmounts focused for another reason hands nothing to later ones.
      give: (id) => {
        handedTo = id;
        queueMicrotask(() => {
          handedTo = null;
        });
      },
      take: (id) => {
        if (handedTo !== id) return false;
        handedTo = null;
        return true;
      },
    };
  }, []);

  return { isLive, observe, wake: setFocusedId, focusedId, focusHandOver };
}
