/**
 * The arithmetic of a windowed list: which rows of a long list are in view, so only those (plus an
 * overscan margin) are in the DOM, between spacers that keep the scrollbar honest. It works only
 * because every row has the same height (and tables use `table-layout: fixed`): the position of row
 * N is N × rowHeight, with no measuring.
 *
 * The list's length and the viewport's height come from getters, so the window follows the
 * component's own `$derived` values; the scroll position is held here and fed from `onscroll`.
 */
export interface WindowingOptions {
  /** Height of every row, in px. */
  rowHeight: number;
  /** How many rows the list holds. */
  count: () => number;
  /** The height in px the rows can use (the viewport without sticky headers). */
  viewportHeight: () => number;
  /** Rows rendered beyond each edge of the view, so fast scrolling shows no blank. */
  overscan?: () => number;
}

export class Windowing {
  readonly rowHeight: number;
  /** The viewport's scroll offset in px, as last reported by its scroll event (or set by `scrollTo`). */
  scrollTop = $state(0);

  readonly #count: () => number;
  readonly #viewportHeight: () => number;
  readonly #overscan: () => number;

  constructor(options: WindowingOptions) {
    if (!(options.rowHeight > 0)) throw new Error(`rowHeight must be a positive number of px, got ${options.rowHeight}`);
    this.rowHeight = options.rowHeight;
    this.#count = options.count;
    this.#viewportHeight = options.viewportHeight;
    this.#overscan = options.overscan ?? (() => 8);
  }

  readonly count = $derived.by(() => this.#count());
  /** At least one row's height, so an unmeasured or collapsed viewport still shows something. */
  readonly viewportHeight = $derived.by(() => Math.max(this.rowHeight, this.#viewportHeight()));
  /** Index of the first row in the DOM. */
  readonly first = $derived.by(() =>
    Math.min(this.count, Math.max(0, Math.floor(this.scrollTop / this.rowHeight) - this.#overscan())),
  );
  /** One past the index of the last row in the DOM. */
  readonly last = $derived.by(() =>
    Math.max(this.first, Math.min(this.count, Math.ceil((this.scrollTop + this.viewportHeight) / this.rowHeight) + this.#overscan())),
  );
  /** Height of the spacer that stands in for the rows above the window. */
  readonly paddingAbove = $derived.by(() => this.first * this.rowHeight);
  /** Height of the spacer that stands in for the rows below the window. */
  readonly paddingBelow = $derived.by(() => (this.count - this.last) * this.rowHeight);
  /** Rows a Page Up/Down moves: a whole view but one, so the row at the edge stays in sight. */
  readonly pageRows = $derived.by(() => Math.max(1, Math.floor(this.viewportHeight / this.rowHeight) - 1));
  /** The scroll offset that shows the last row at the bottom of the view. */
  readonly tailScrollTop = $derived.by(() => Math.max(0, this.count * this.rowHeight - this.viewportHeight));

  /** The rows of `items` in the window (items is the list `count` counts). */
  slice<T>(items: readonly T[]): T[] {
    return items.slice(this.first, this.last);
  }

  /** The scroll offset that shows row `index` whole while moving the least, or null if it is already whole in view. */
  revealTarget(index: number): number | null {
    const rowTop = index * this.rowHeight;
    if (rowTop < this.scrollTop) return rowTop;
    if (rowTop + this.rowHeight > this.scrollTop + this.viewportHeight) return rowTop + this.rowHeight - this.viewportHeight;
    return null;
  }

  /**
   * Moves the window to `top` and scrolls `element` there. The window is updated first: without
   * layout (jsdom) the element keeps scrollTop 0 and its scroll event never comes.
   */
  scrollTo(top: number, element: HTMLElement | undefined): void {
    const clamped = Math.max(0, top);
    this.scrollTop = clamped;
    if (element && element.scrollTop !== clamped) element.scrollTop = clamped;
  }

  /** Scrolls the least needed to show row `index` whole. */
  reveal(index: number, element: HTMLElement | undefined): void {
    const target = this.revealTarget(index);
    if (target !== null) this.scrollTo(target, element);
  }
}

/** Reports the element's inner height now and on every resize; returns the function that stops it. */
export function observeHeight(element: HTMLElement, onHeight: (height: number) => void): () => void {
  return observeSize(element, (size) => onHeight(size.height));
}

/** Calls `onSize` with the element's inner size now and whenever it changes; returns the stop function. */
export function observeSize(element: HTMLElement, onSize: (size: { width: number; height: number }) => void): () => void {
  // jsdom has no ResizeObserver and no layout: the caller's defaults stand.
  if (typeof ResizeObserver === 'undefined') return () => {};
  const observer = new ResizeObserver(() => onSize({ width: element.clientWidth, height: element.clientHeight }));
  observer.observe(element);
  return () => observer.disconnect();
}
