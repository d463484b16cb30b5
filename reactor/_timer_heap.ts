/**
 * A binary min-heap of timed entries ordered by (time, sequence), with
 * removal and re-keying by stored index, so cancel and reset are O(log n).
 *
 * @module
 */

/** What the heap needs of an entry; it maintains `heapIndex` itself. */
export interface TimerEntry {
  time: number;
  seq: number;
  heapIndex: number;
}

/** A min-heap of {@linkcode TimerEntry}: earliest time first, then schedule order. */
export class TimerHeap<E extends TimerEntry> {
  #items: E[] = [];
  #nextSeq = 0;

  /** How many entries are pending. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds an entry, stamping it with the next sequence number. */
  push(entry: E): void {
    entry.seq = this.#nextSeq++;
    entry.heapIndex = this.#items.length;
    this.#items.push(entry);
    this.#siftUp(entry.heapIndex);
  }

  /** The earliest entry, without removing it. */
  peek(): E | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes an entry if it is in the heap. */
  remove(entry: E): void {
    const index = entry.heapIndex;
    const items = this.#items;
    if (index < 0 || items[index] !== entry) return;
    const last = items.pop() as E;
    entry.heapIndex = -1;
    if (last === entry) return;
    items[index] = last;
    last.heapIndex = index;
    this.#siftDown(index);
    this.#siftUp(last.heapIndex);
  }

  /** Moves an entry whose `time` changed; it runs after entries already due then. */
  reschedule(entry: E): void {
    this.remove(entry);
    this.push(entry);
  }

  /** The pending entries, earliest first. */
  sorted(): E[] {
    return [...this.#items].sort(compare);
  }

  #siftUp(start: number): void {
    const items = this.#items;
    let index = start;
    const entry = items[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (compare(entry, parent) >= 0) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = entry;
    entry.heapIndex = index;
  }

  #siftDown(start: number): void {
    const items = this.#items;
    const length = items.length;
    let index = start;
    const entry = items[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && compare(items[right], items[left]) < 0
        ? right
        : left;
      if (compare(items[child], entry) >= 0) break;
      items[index] = items[child];
      items[index].heapIndex = index;
      index = child;
    }
    items[index] = entry;
    entry.heapIndex = index;
  }
}

function compare(a: TimerEntry, b: TimerEntry): number {
  return a.time - b.time || a.seq - b.seq;
}
