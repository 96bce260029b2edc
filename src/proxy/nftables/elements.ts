// What kube-proxy's nftElementStorage does: remember the elements of a set or map between syncs so a
// sync sends only the difference (new element: add; changed value: delete + add; gone: delete).
import { PersistentMap, type PersistentMapEditor } from '../persistent-map.js';
import { flat } from './names.js';
import type { ElementObject, Transaction } from './transaction.js';

export interface StoredElement {
  readonly key: readonly string[];
  readonly value: string | undefined;
  /** How many service records list this element (two Services can share a key, e.g. an external IP). */
  readonly refs: number;
}

export type ElementState = PersistentMap<string, StoredElement>;

/**
 * One sync's view of a set or map: reads what the previous sync left (`prev`, never changed) and
 * builds the state this sync leaves. A full sync counts every element from zero and deletes, at
 * the end, what nobody ensured.
 */
export class ElementStore {
  private readonly next: PersistentMapEditor<string, StoredElement>;
  added = 0;
  deleted = 0;

  constructor(
    readonly container: 'set' | 'map',
    readonly name: string,
    private readonly prev: ElementState,
    private readonly full: boolean,
  ) {
    this.next = (full ? PersistentMap.empty<string, StoredElement>() : prev).edit();
  }

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

  private current(k: string): StoredElement | undefined {
    const cur = this.next.get(k);
    if (cur !== undefined || !this.full) return cur;
    const kernel = this.prev.get(k);
    return kernel && { key: kernel.key, value: kernel.value, refs: 0 };
  }

  /** Ensure the element exists with this value; returns its storage key. */
  ensure(tx: Transaction, key: readonly string[], verdict?: string, comment?: string): string {
    const k = key.length === 1 ? key[0]! : key.join(' . ');
    const value = verdict === undefined ? undefined : flat(verdict);
    const cur = this.current(k);
    if (cur === undefined) {
      tx.add(this.element(key, value, comment));
      this.next.set(k, { key, value, refs: 1 });
      this.added++;
    } else if (cur.value !== value) {
      tx.delete(this.element(key));
      tx.add(this.element(key, value, comment));
      this.next.set(k, { key, value, refs: cur.refs + 1 });
      this.added++;
      this.deleted++;
    } else this.next.set(k, { key: cur.key, value, refs: cur.refs + 1 });
    return k;
  }

  /** One service record no longer lists the element; returns how many still do. */
  release(k: string): number {
    const cur = this.next.get(k);
    if (!cur) return 0;
    const refs = Math.max(0, cur.refs - 1);
    this.next.set(k, { key: cur.key, value: cur.value, refs });
    return refs;
  }

  /** Give a shared element the value of a Service that still holds it (no change to its count). */
  restore(tx: Transaction, k: string, verdict: string | undefined, comment: string | undefined): void {
    const cur = this.next.get(k);
    const value = verdict === undefined ? undefined : flat(verdict);
    if (!cur || cur.value === value) return;
    tx.delete(this.element(cur.key));
    tx.add(this.element(cur.key, value, comment));
    this.next.set(k, { key: cur.key, value, refs: cur.refs });
    this.added++;
    this.deleted++;
  }

  /** Delete one element (a partial sync's leftover); no-op when absent. */
  remove(tx: Transaction, k: string): void {
    const cur = this.next.get(k);
    if (!cur) return;
    tx.delete(this.element(cur.key));
    this.next.delete(k);
    this.deleted++;
  }

  has(k: string): boolean {
    return this.next.get(k) !== undefined;
  }

  /** End a full sync: delete what no service ensured. */
  cleanupLeftovers(tx: Transaction): void {
    if (!this.full) return;
    for (const [k, e] of this.prev.entries())
      if (this.next.get(k) === undefined) {
        tx.delete(this.element(e.key));
        this.deleted++;
      }
  }

  get size(): number {
    return this.next.size;
  }

  /** The state this sync leaves. */
  done(): ElementState {
    return this.next.done();
  }
}
