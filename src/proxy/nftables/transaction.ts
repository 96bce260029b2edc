// An nftables transaction as typed data, like knftables.Transaction: a list of add / flush / delete
// operations on table, chain, set, map, rule and element objects, always inside one table. The
// text encoder writes it as knftables does for `nft -f -` (one fully qualified command a line);
// json.ts writes the same operations as libnftables JSON for `nft -j -f -`.

export type NftFamily = 'ip' | 'ip6';
export type Verb = 'add' | 'flush' | 'delete';
/** A libnftables JSON expression/statement (kept loose: it is only serialised). */
export type JsonExpr = Record<string, unknown>;

export interface TableObject {
  readonly kind: 'table';
  readonly comment?: string;
}
export interface BaseChainSpec {
  readonly type: 'filter' | 'nat';
  readonly hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  readonly priority: number;
}
export interface ChainObject {
  readonly kind: 'chain';
  readonly name: string;
  readonly base?: BaseChainSpec;
  readonly comment?: string;
}
export interface SetObject {
  readonly kind: 'set';
  readonly name: string;
  /** Key type, e.g. "ipv4_addr" (absent on flush/delete). */
  readonly type?: string;
  readonly flags?: readonly string[];
  /** Element timeout in seconds. */
  readonly timeout?: number;
  readonly comment?: string;
}
export interface MapObject {
  readonly kind: 'map';
  readonly name: string;
  /** Key types joined by " . ", e.g. "ipv4_addr . inet_proto . inet_service". */
  readonly keyType?: string;
  /** Value type, e.g. "verdict". */
  readonly valueType?: string;
  readonly comment?: string;
}
export interface RuleObject {
  readonly kind: 'rule';
  readonly chain: string;
  /** The rule as knftables writes it (without the comment). */
  readonly text: string;
  /** The same rule as libnftables JSON statements; present when rendering JSON. */
  readonly expr?: readonly JsonExpr[];
  readonly comment?: string;
}
export interface ElementObject {
  readonly kind: 'element';
  readonly container: 'set' | 'map';
  readonly name: string;
  /** Key fields in order (address, protocol, port ...); joined with " . ". */
  readonly key: readonly string[];
  /** Map value: a verdict such as "goto <chain>", "drop"; absent for set elements and deletes. */
  readonly value?: string;
  readonly comment?: string;
}

export type NftObject = TableObject | ChainObject | SetObject | MapObject | RuleObject | ElementObject;

export interface Operation {
  readonly verb: Verb;
  readonly object: NftObject;
}

export const KUBE_PROXY_TABLE = 'kube-proxy';

export class Transaction {
  /** Operations as two parallel arrays (a sync can hold ~10^6 of them; no wrapper per operation). */
  readonly verbs: Verb[] = [];
  readonly objects: NftObject[] = [];
  constructor(
    readonly family: NftFamily,
    readonly table: string = KUBE_PROXY_TABLE,
  ) {}
  add(object: NftObject): void {
    this.verbs.push('add');
    this.objects.push(object);
  }
  flush(object: NftObject): void {
    this.verbs.push('flush');
    this.objects.push(object);
  }
  delete(object: NftObject): void {
    this.verbs.push('delete');
    this.objects.push(object);
  }
  /** Append another transaction's operations (same table). */
  append(other: Transaction): void {
    for (let i = 0; i < other.objects.length; i++) {
      this.verbs.push(other.verbs[i]!);
      this.objects.push(other.objects[i]!);
    }
  }
  get size(): number {
    return this.objects.length;
  }
  /** The operations one by one (allocates a record each: for tests and small transactions). */
  *operations(): IterableIterator<Operation> {
    for (let i = 0; i < this.objects.length; i++) yield { verb: this.verbs[i]!, object: this.objects[i]! };
  }
  /** Number of "add rule" operations (the bench's rule count). */
  countRules(): number {
    let n = 0;
    for (let i = 0; i < this.objects.length; i++) if (this.verbs[i] === 'add' && this.objects[i]!.kind === 'rule') n++;
    return n;
  }
}

/** Go's %q for the printable ASCII we write (names, comments). */
export function quote(s: string): string {
  return JSON.stringify(s);
}

function specBlock(parts: string[]): string {
  return parts.length === 0 ? '' : ` { ${parts.map((p) => `${p} ;`).join(' ')} }`;
}

/** One operation as the `nft -f` line knftables writes. */
export function operationText(op: Operation, family: NftFamily, table: string): string {
  return lineOf(op.verb, op.object, family, table);
}

function lineOf(verb: Verb, o: NftObject, family: NftFamily, table: string): string {
  const where = `${family} ${table}`;
  switch (o.kind) {
    case 'table':
      return verb === 'add' && o.comment !== undefined
        ? `add table ${where} { comment ${quote(o.comment)} ; }`
        : `${verb} table ${where}`;
    case 'chain': {
      if (verb !== 'add') return `${verb} chain ${where} ${o.name}`;
      const parts: string[] = [];
      if (o.base) parts.push(`type ${o.base.type} hook ${o.base.hook} priority ${o.base.priority}`);
      if (o.comment !== undefined) parts.push(`comment ${quote(o.comment)}`);
      return `add chain ${where} ${o.name}${specBlock(parts)}`;
    }
    case 'set': {
      if (verb !== 'add') return `${verb} set ${where} ${o.name}`;
      const parts: string[] = [`type ${o.type}`];
      if (o.flags?.length) parts.push(`flags ${o.flags.join(',')}`);
      if (o.timeout !== undefined) parts.push(`timeout ${o.timeout}s`);
      if (o.comment !== undefined) parts.push(`comment ${quote(o.comment)}`);
      return `add set ${where} ${o.name}${specBlock(parts)}`;
    }
    case 'map': {
      if (verb !== 'add') return `${verb} map ${where} ${o.name}`;
      const parts: string[] = [`type ${o.keyType} : ${o.valueType}`];
      if (o.comment !== undefined) parts.push(`comment ${quote(o.comment)}`);
      return `add map ${where} ${o.name}${specBlock(parts)}`;
    }
    case 'rule':
      return `${verb} rule ${where} ${o.chain} ${o.text}${o.comment !== undefined ? ` comment ${quote(o.comment)}` : ''}`;
    case 'element': {
      let body = o.key.join(' . ');
      if (verb === 'add') {
        if (o.comment !== undefined) body += ` comment ${quote(o.comment)}`;
        if (o.value !== undefined) body += ` : ${o.value}`;
      }
      return `${verb} element ${where} ${o.name} { ${body} }`;
    }
  }
}

/** The transaction as `nft -f` input: one command a line, newline-terminated. */
export function toText(tx: Transaction): string {
  const { family, table, verbs, objects } = tx;
  // Joined in chunks: each chunk's line strings die young, and the chunk (large, flat) goes to
  // large-object space, so the garbage collector never copies a million small strings around.
  const CHUNK = 8192;
  const chunks: string[] = [];
  const lines = new Array<string>(CHUNK + 1);
  for (let start = 0; start < objects.length; start += CHUNK) {
    const n = Math.min(CHUNK, objects.length - start);
    lines.length = n + 1;
    for (let i = 0; i < n; i++) lines[i] = lineOf(verbs[start + i]!, objects[start + i]!, family, table);
    lines[n] = '';
    chunks.push(lines.join('\n'));
  }
  return chunks.join('');
}
