import type { StoredMessage } from '../types';

/**
 * The messages of one queue, indexed so a dispatch never walks not-yet-visible ones: delayed messages wait in a
 * min-heap by visibility time and move to the id-sorted `ready` list once a query's `nowMs` reaches them. With
 * 10,000 waiting stream workers (one future timer each) a scan from the oldest message skipped all 10,000 timers
 * on every pump. Queries stay exact when a caller's clock goes backwards: `ready` entries are still checked
 * against `nowMs`, and `nextVisibleAfter` falls back to a full scan.
 */
export class QueueIndex {
  /** Every message of the queue by id, insertion (= id) ordered. */
  readonly messages = new Map<number, StoredMessage>();
  /** Ids of messages with `visibleAtMs <= promotedUpTo`, ascending. */
  private readonly ready: number[] = [];
  /** Messages with `visibleAtMs > promotedUpTo`; deleted ones stay until popped (checked against `messages`). */
  private readonly delayed: StoredMessage[] = [];
  private promotedUpTo = Number.NEGATIVE_INFINITY;

  add(message: StoredMessage): void {
    this.messages.set(message.id, message);
    if (message.visibleAtMs <= this.promotedUpTo) insertSorted(this.ready, message.id);
    else heapPush(this.delayed, message);
  }

  delete(id: number): StoredMessage | undefined {
    const message = this.messages.get(id);
    if (message === undefined) return undefined;
    this.messages.delete(id);
    if (message.visibleAtMs <= this.promotedUpTo) this.ready.splice(lowerBound(this.ready, id), 1);
    return message;
  }

  /** Messages visible at `nowMs`, oldest (lowest id) first; the caller stops iterating when it has enough. */
  *visible(nowMs: number): Generator<StoredMessage> {
    this.promote(nowMs);
    for (const id of this.ready) {
      const message = this.messages.get(id)!;
      if (message.visibleAtMs <= nowMs) yield message;
    }
  }

  /** Earliest `visibleAtMs` greater than `nowMs`, if any. */
  nextVisibleAfter(nowMs: number): number | undefined {
    if (nowMs < this.promotedUpTo) return scanNextVisible(this.messages.values(), nowMs);
    this.promote(nowMs);
    while (this.delayed.length > 0 && this.messages.get(this.delayed[0]!.id) !== this.delayed[0]) heapPop(this.delayed);
    return this.delayed[0]?.visibleAtMs;
  }

  private promote(nowMs: number): void {
    if (nowMs <= this.promotedUpTo) return;
    this.promotedUpTo = nowMs;
    while (this.delayed.length > 0 && this.delayed[0]!.visibleAtMs <= nowMs) {
      const message = heapPop(this.delayed);
      if (this.messages.get(message.id) === message) insertSorted(this.ready, message.id);
    }
  }
}

function scanNextVisible(messages: Iterable<StoredMessage>, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const m of messages) if (m.visibleAtMs > nowMs && (next === undefined || m.visibleAtMs < next)) next = m.visibleAtMs;
  return next;
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// New ids are the largest, so this is usually a push; promoted timers land in the middle (one memmove).
function insertSorted(sorted: number[], value: number): void {
  if (sorted.length === 0 || sorted[sorted.length - 1]! < value) sorted.push(value);
  else sorted.splice(lowerBound(sorted, value), 0, value);
}

const before = (a: StoredMessage, b: StoredMessage): boolean => a.visibleAtMs < b.visibleAtMs || (a.visibleAtMs === b.visibleAtMs && a.id < b.id);

function heapPush(heap: StoredMessage[], message: StoredMessage): void {
  heap.push(message);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >>> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: StoredMessage[]): StoredMessage {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let least = i;
    if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
    if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
    if (least === i) return top;
    [heap[i], heap[least]] = [heap[least]!, heap[i]!];
    i = least;
  }
}
