// What kube-proxy's nftElementStorage does: remember the elements of a set or map between syncs so a
// sync sends only the difference (new element: add; changed value: delete + add; gone: delete).
import { flat } from './names.js';
import type { ElementObject, Transaction } from './transaction.js';

interface Stored {
  readonly key: readonly string[];
  readonly value: string | undefined;
  /** How many service records list this element (two Services can share a key, e.g. an external IP). */
  refs: number;
}

export class ElementStore {
  private readonly entries = new Map<string, Stored>();
  /** Keys not ensured since the last full-sync reset (deleted by cleanupLeftovers). */
  private leftover: Set<string> | undefined;
  added = 0;
  deleted = 0;

  constructor(
    readonly container: 'set' | 'map',
    readonly name: string,
  ) {}

  private element(key: readonly string[], value?: string, comment?: string): ElementObject {
    const e: { -readonly [K in keyof ElementObject]: ElementObject[K] } = {
      kind: 'element',
      container: this.container,
      name: this.name,
      key,
    };
    if (value !== undefined) e.value = value;
    if (comment !== undefined) e.comment = comment;
    return e;
  }

  /** Start a full sync: every stored element is a leftover until ensured again. */
  beginFullSync(): void {
    this.leftover = new Set(this.entries.keys());
    for (const e of this.entries.values()) e.refs = 0;
  }

  /** Ensure the element exists with this value; returns its storage key. */
  ensure(tx: Transaction, key: readonly string[], verdict?: string, comment?: string): string {
    const k = key.length === 1 ? key[0]! : key.join(' . ');
    const value = verdict === undefined ? undefined : flat(verdict);
    const cur = this.entries.get(k);
    if (cur === undefined) {
      tx.add(this.element(key, value, comment));
      this.entries.set(k, { key, value, refs: 1 });
      this.added++;
    } else {
      if (cur.value !== value) {
        tx.delete(this.element(key));
        tx.add(this.element(key, value, comment));
        this.entries.set(k, { key, value, refs: cur.refs + 1 });
        this.added++;
        this.deleted++;
      } else cur.refs++;
      this.leftover?.delete(k);
    }
    return k;
  }

  /** One service record no longer lists the element; returns how many still do. */
  release(k: string): number {
    const cur = this.entries.get(k);
    if (!cur) return 0;
    cur.refs = Math.max(0, cur.refs - 1);
    return cur.refs;
  }

  /** Give a shared element the value of a Service that still holds it (no change to its count). */
  restore(tx: Transaction, k: string, verdict: string | undefined, comment: string | undefined): void {
    const cur = this.entries.get(k);
    const value = verdict === undefined ? undefined : flat(verdict);
    if (!cur || cur.value === value) return;
    tx.delete(this.element(cur.key));
    tx.add(this.element(cur.key, value, comment));
    this.entries.set(k, { key: cur.key, value, refs: cur.refs });
    this.added++;
    this.deleted++;
  }

  /** Delete one element (a partial sync's leftover); no-op when absent. */
  remove(tx: Transaction, k: string): void {
    const cur = this.entries.get(k);
    if (!cur) return;
    tx.delete(this.element(cur.key));
    this.entries.delete(k);
    this.deleted++;
  }

  has(k: string): boolean {
    return this.entries.has(k);
  }

  /** End a full sync: delete what no service ensured. */
  cleanupLeftovers(tx: Transaction): void {
    for (const k of this.leftover ?? []) this.remove(tx, k);
    this.leftover = undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
