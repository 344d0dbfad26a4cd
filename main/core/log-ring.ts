// The in-memory tail of a log: whole lines, newest last, within a byte cap and a line cap, numbered by
// consecutive sequence numbers (a line evicted or skipped still used up its number).

/** A line of the tail. */
export interface TailLine {
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  time: number;
}

export class LineRing {
  #ring: (TailLine | undefined)[];
  #sizes: Uint32Array;
  #head = 0;
  #count = 0;
  #bytes = 0;
  #seq = 0;

  constructor(
    readonly bytesCap: number,
    readonly linesCap: number,
  ) {
    // The ring starts small and doubles up to linesCap: most processes print little.
    const initial = Math.min(linesCap, 64);
    this.#ring = new Array<TailLine | undefined>(initial).fill(undefined);
    this.#sizes = new Uint32Array(initial);
  }

  /** Seq of the newest line (0 before any). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Seq of the oldest line still held (lastSeq + 1 when empty). */
  get firstSeq(): number {
    return this.#seq - this.#count + 1;
  }

  get count(): number {
    return this.#count;
  }

  /** UTF-8 bytes of text held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a line under the next seq, evicting the oldest lines to stay within the caps. */
  push(stream: TailLine['stream'], text: string, time: number, bytes = Buffer.byteLength(text)): void {
    if (this.#count === this.#ring.length && this.#count < this.linesCap) this.#grow();
    const capacity = this.#ring.length;
    while (this.#count > 0 && (this.#count >= capacity || this.#bytes + bytes > this.bytesCap)) {
      this.#bytes -= this.#sizes[this.#head];
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
      this.#count -= 1;
    }
    const slot = (this.#head + this.#count) % capacity;
    this.#seq += 1;
    this.#ring[slot] = { seq: this.#seq, stream, text, time };
    this.#sizes[slot] = bytes;
    this.#count += 1;
    this.#bytes += bytes;
  }

  /** `count` lines nobody will see (a flood): they use up their seqs, and everything held is evicted. */
  skip(count: number): void {
    this.#seq += count;
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  /** Lines with seq > afterSeq, oldest first, at most `limit`. */
  lines(afterSeq: number, limit: number): TailLine[] {
    const first = this.firstSeq;
    const from = Math.max(Math.floor(afterSeq) + 1, first);
    const out: TailLine[] = [];
    const capacity = this.#ring.length;
    for (let seq = from; seq <= this.#seq && out.length < limit; seq++) {
      out.push(this.#ring[(this.#head + (seq - first)) % capacity]!);
    }
    return out;
  }

  #grow(): void {
    const capacity = this.#ring.length;
    const grown = Math.min(this.linesCap, capacity * 2);
    const ring = new Array<TailLine | undefined>(grown).fill(undefined);
    const sizes = new Uint32Array(grown);
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#head + i) % capacity;
      ring[i] = this.#ring[from];
      sizes[i] = this.#sizes[from];
    }
    this.#ring = ring;
    this.#sizes = sizes;
    this.#head = 0;
  }
}
