// A chart box's width in pixels, for charts drawn at a known size.
import { useCallback, useState } from 'react';

/**
 * The chart box's width, read when the box is attached (before the browser paints) so the chart
 * is drawn in its first frame at its real size, then followed as the window resizes.
 */
export function useElementWidth() {
  const [px, setPx] = useState(0);
  const ref = useCallback((node: HTMLDivElement | null) => {
    if (!node) return;
    setPx(Math.floor(node.getBoundingClientRect().width));
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => setPx(Math.floor(entry.contentRect.width)));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return { ref, px };
}
