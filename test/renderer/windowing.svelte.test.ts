import { describe, expect, it } from 'vitest';
import { Windowing } from '../../renderer/lib/windowing.svelte.js';

function windowOf(initial: { count: number; viewportHeight: number; overscan?: number }) {
  const inputs = $state({ overscan: 2, ...initial });
  const windowing = new Windowing({
    rowHeight: 20,
    count: () => inputs.count,
    viewportHeight: () => inputs.viewportHeight,
    overscan: () => inputs.overscan,
  });
  return { inputs, windowing };
}

describe('Windowing', () => {
  it('puts the rows in view plus the overscan in the window, and spacers for the rest', () => {
    const { windowing } = windowOf({ count: 1000, viewportHeight: 200 });
    expect([windowing.first, windowing.last]).toEqual([0, 12]);
    expect(windowing.paddingAbove).toBe(0);
    expect(windowing.paddingBelow).toBe((1000 - 12) * 20);

    windowing.scrollTop = 1000; // row 50 at the top
    expect([windowing.first, windowing.last]).toEqual([48, 62]);
    expect(windowing.paddingAbove).toBe(48 * 20);
    expect(windowing.paddingAbove + (windowing.last - windowing.first) * 20 + windowing.paddingBelow).toBe(1000 * 20);
  });

  it('follows the list and the viewport when they change', () => {
    const { inputs, windowing } = windowOf({ count: 5, viewportHeight: 200 });
    expect([windowing.first, windowing.last, windowing.paddingBelow]).toEqual([0, 5, 0]);
    inputs.count = 100;
    inputs.viewportHeight = 400;
    expect(windowing.last).toBe(22);
    inputs.overscan = 0;
    expect(windowing.last).toBe(20);
  });

  it('never lets the window start past the end when the list shrinks under a deep scroll', () => {
    const { inputs, windowing } = windowOf({ count: 1000, viewportHeight: 200 });
    windowing.scrollTop = 15_000;
    inputs.count = 3;
    expect(windowing.first).toBeLessThanOrEqual(windowing.last);
    expect(windowing.last).toBe(3);
    expect(windowing.paddingBelow).toBe(0);
    expect(windowing.slice(['a', 'b', 'c'])).toEqual([]);
  });

  it('scrolls the least needed to reveal a row, and not at all when it is in view', () => {
    const { windowing } = windowOf({ count: 1000, viewportHeight: 200 });
    expect(windowing.revealTarget(3)).toBeNull();
    expect(windowing.revealTarget(10)).toBe(11 * 20 - 200); // its bottom edge at the view's bottom
    windowing.reveal(10, undefined);
    expect(windowing.scrollTop).toBe(20);
    expect(windowing.revealTarget(0)).toBe(0); // its top edge at the view's top
  });

  it('knows the offset that shows the tail, and the size of a page', () => {
    const { inputs, windowing } = windowOf({ count: 1000, viewportHeight: 200 });
    expect(windowing.tailScrollTop).toBe(1000 * 20 - 200);
    expect(windowing.pageRows).toBe(9);
    inputs.count = 4;
    expect(windowing.tailScrollTop).toBe(0);
  });

  it('scrolls an element and the window together', () => {
    const { windowing } = windowOf({ count: 1000, viewportHeight: 200 });
    const element = document.createElement('div');
    windowing.scrollTo(-50, element);
    expect(windowing.scrollTop).toBe(0);
    windowing.scrollTo(400, element);
    expect(windowing.scrollTop).toBe(400);
    expect(windowing.first).toBe(18);
  });

  it('rejects a row height that could not place rows', () => {
    expect(() => new Windowing({ rowHeight: 0, count: () => 1, viewportHeight: () => 1 })).toThrow(/rowHeight must be a positive/);
  });
});
