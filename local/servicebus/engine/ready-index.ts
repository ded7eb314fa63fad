/**
 * Deliverable messages of one entity by session key (the empty key for a non-session entity), each list in
 * sequence-number order, so delivery is FIFO per session and an abandoned message goes back to its place.
 * Stale heads (expired messages) are dropped lazily: removed from the list first, then handed to `onStale`.
 */
export interface StalePolicy {
  isStale(sequenceNumber: number): boolean;
  onStale(sequenceNumber: number): void;
}

export class ReadyIndex {
  private readonly lists = new Map<string, number[]>();

  constructor(private readonly stale: StalePolicy) {}

  add(key: string, sequenceNumber: number): void {
    const list = this.lists.get(key) ?? [];
    list.splice(lowerBound(list, sequenceNumber), 0, sequenceNumber);
    this.lists.set(key, list);
  }

  remove(key: string, sequenceNumber: number): void {
    const list = this.lists.get(key);
    if (!list) return;
    const i = lowerBound(list, sequenceNumber);
    if (list[i] === sequenceNumber) list.splice(i, 1);
    if (list.length === 0) this.lists.delete(key);
  }

  /** Removes and returns the oldest deliverable message of `key`. */
  take(key: string): number | undefined {
    const head = this.freshHead(key);
    if (head === undefined) return undefined;
    this.remove(key, head);
    return head;
  }

  /** The key whose oldest deliverable message is the oldest overall, skipping excluded keys (locked sessions). */
  oldestKey(exclude: (key: string) => boolean): string | undefined {
    let best: { key: string; head: number } | undefined;
    for (const key of [...this.lists.keys()]) {
      if (exclude(key)) continue;
      const head = this.freshHead(key);
      if (head !== undefined && (!best || head < best.head)) best = { key, head };
    }
    return best?.key;
  }

  private freshHead(key: string): number | undefined {
    const list = this.lists.get(key);
    while (list && list.length > 0) {
      const head = list[0] as number;
      if (!this.stale.isStale(head)) return head;
      list.shift();
      if (list.length === 0) this.lists.delete(key);
      this.stale.onStale(head);
    }
    return undefined;
  }
}

/** First index whose value is >= `value` (lists are sorted ascending). */
function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
