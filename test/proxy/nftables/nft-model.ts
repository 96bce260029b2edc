// Test support: an in-memory nftables table that replays our transactions (like knftables.Fake),
// refusing what the kernel refuses (a rule or element before its chain/set/map, deleting what is
// absent), dumps its state the way knftables' Fake.Dump() does, and sorts dumps the way upstream's
// sortNFTablesTransaction does, so our output compares with upstream's expected rulesets.
import {
  type ChainObject,
  type ElementObject,
  type MapObject,
  operationText,
  type RuleObject,
  type SetObject,
  type TableObject,
  type Transaction,
} from '../../../src/proxy/nftables/transaction.js';

interface Container {
  object: SetObject | MapObject;
  elements: Map<string, ElementObject>;
}

export class NftModel {
  table: TableObject | undefined;
  readonly chains = new Map<string, { object: ChainObject; rules: RuleObject[] }>();
  readonly containers = new Map<string, Container>();
  constructor(readonly family: 'ip' | 'ip6' = 'ip') {}

  apply(tx: Transaction): void {
    for (const { verb, object: o } of tx.operations()) {
      const where = () => operationText({ verb, object: o }, tx.family, tx.table);
      if (o.kind === 'table') {
        if (verb === 'add') this.table ??= o;
        else throw new Error(`unsupported: ${where()}`);
        continue;
      }
      if (!this.table) throw new Error(`no table for: ${where()}`);
      switch (o.kind) {
        case 'chain': {
          const c = this.chains.get(o.name);
          if (verb === 'add') {
            if (!c) this.chains.set(o.name, { object: o, rules: [] });
          } else if (!c) throw new Error(`no such chain: ${where()}`);
          else if (verb === 'flush') c.rules = [];
          else {
            if (c.rules.length > 0) throw new Error(`chain not empty: ${where()}`);
            if (this.referenced(o.name)) throw new Error(`chain still referenced: ${where()}`);
            this.chains.delete(o.name);
          }
          break;
        }
        case 'set':
        case 'map': {
          const c = this.containers.get(o.name);
          if (verb === 'add') {
            if (!c) this.containers.set(o.name, { object: o, elements: new Map() });
          } else if (!c) throw new Error(`no such ${o.kind}: ${where()}`);
          else if (verb === 'flush') c.elements.clear();
          else this.containers.delete(o.name);
          break;
        }
        case 'rule': {
          const c = this.chains.get(o.chain);
          if (!c) throw new Error(`rule before its chain: ${where()}`);
          if (verb !== 'add') throw new Error(`unsupported: ${where()}`);
          for (const ref of o.text.matchAll(/(?:goto|jump) (\S+)/g))
            if (!this.chains.has(ref[1]!)) throw new Error(`rule uses undeclared chain ${ref[1]}: ${where()}`);
          for (const ref of o.text.matchAll(/@(\S+)/g))
            if (!this.containers.has(ref[1]!)) throw new Error(`rule uses undeclared set ${ref[1]}: ${where()}`);
          c.rules.push(o);
          break;
        }
        case 'element': {
          const c = this.containers.get(o.name);
          if (!c) throw new Error(`element before its ${o.container}: ${where()}`);
          const k = o.key.join(' . ');
          if (verb === 'add') {
            if (c.elements.has(k)) throw new Error(`element exists: ${where()}`);
            const target = o.value?.match(/^(?:goto|jump) (\S+)$/)?.[1];
            if (target && !this.chains.has(target)) throw new Error(`element uses undeclared chain: ${where()}`);
            c.elements.set(k, o);
          } else if (verb === 'delete') {
            if (!c.elements.delete(k)) throw new Error(`no such element: ${where()}`);
          } else throw new Error(`unsupported: ${where()}`);
          break;
        }
      }
    }
  }

  private referenced(chain: string): boolean {
    const re = new RegExp(`(?:goto|jump) ${chain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: |$)`);
    for (const c of this.chains.values()) for (const r of c.rules) if (re.test(r.text)) return true;
    for (const c of this.containers.values())
      for (const e of c.elements.values()) if (e.value && re.test(e.value)) return true;
    return false;
  }

  /** The state as knftables' Fake.Dump() writes it. */
  dump(): string {
    const lines: string[] = [];
    const line = (object: Parameters<typeof operationText>[0]['object']) =>
      lines.push(operationText({ verb: 'add', object }, this.family, 'kube-proxy'));
    if (this.table) line(this.table);
    for (const c of this.chains.values()) line(c.object);
    for (const c of this.containers.values()) line(c.object);
    for (const c of this.chains.values()) for (const r of c.rules) line(r);
    for (const c of this.containers.values()) for (const e of c.elements.values()) line(e);
    return lines.join('\n');
  }

  rulesOf(chain: string): string[] {
    return (this.chains.get(chain)?.rules ?? []).map(
      (r) => r.text + (r.comment ? ` comment ${JSON.stringify(r.comment)}` : ''),
    );
  }
}

const OBJECT_ORDER: Record<string, number> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 };

/** Upstream's sortNFTablesTransaction: drop blank and # lines, order by object type, then name. */
export function sortNFTablesTransaction(tx: string): string {
  const lines = tx.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const words = new Map(lines.map((l) => [l, l.split(' ')]));
  // A stable sort with upstream's comparator (a "less" function), as sort.SliceStable uses it.
  const less = (li: string, lj: string): boolean => {
    const wi = words.get(li)!;
    const wj = words.get(lj)!;
    if (wi.length < 5 || wj.length < 5) return false;
    if (wi[1] !== wj[1]) return (OBJECT_ORDER[wi[1]!] ?? 0) >= (OBJECT_ORDER[wj[1]!] ?? 0);
    if (wi[4] !== wj[4]) return wi[4]! < wj[4]!;
    if (wi[1] === 'rule') return false;
    return li < lj;
  };
  return mergeSort(lines, less).join('\n');
}

function mergeSort(items: string[], less: (a: string, b: string) => boolean): string[] {
  // Merge sort keeps stability with a non-strict comparator the way Go's SliceStable does for our data.
  if (items.length <= 1) return items;
  const mid = items.length >> 1;
  const a = mergeSort(items.slice(0, mid), less);
  const b = mergeSort(items.slice(mid), less);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (less(b[j]!, a[i]!)) out.push(b[j++]!);
    else out.push(a[i++]!);
  }
  return out.concat(a.slice(i), b.slice(j));
}
