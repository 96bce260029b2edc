// The libnftables JSON encoding (`nft -j -f -`) of a Transaction. Rules carry their JSON statements
// (built next to their text in rules.ts); here we only wrap objects and elements. Debian 12's nft
// 1.0.6 refuses the "dynamic" set flag in JSON, so sets are written with the other flags only (the
// kernel marks a set dynamic once an `update` rule uses it).
import type { ElementObject, JsonExpr, NftObject, Operation, Transaction } from './transaction.js';

const PORT_RE = /^\d+$/;

/** A key field as JSON: port numbers are numbers, addresses and protocol names strings. */
function keyField(s: string): string | number {
  return PORT_RE.test(s) ? Number(s) : s;
}

/** A CIDR or address as a JSON set member: {"prefix": {...}} for a CIDR. */
export function addressExpr(s: string): string | JsonExpr {
  const slash = s.indexOf('/');
  return slash < 0 ? s : { prefix: { addr: s.slice(0, slash), len: Number(s.slice(slash + 1)) } };
}

/** A verdict string ("goto X", "jump X", "drop", "reject", "accept") as a JSON statement. */
export function verdictExpr(v: string): JsonExpr {
  const sp = v.indexOf(' ');
  if (sp < 0) return { [v]: null };
  return { [v.slice(0, sp)]: { target: v.slice(sp + 1) } };
}

function elementKey(e: ElementObject): unknown {
  const key = e.key.length === 1 ? keyField(e.key[0]!) : { concat: e.key.map(keyField) };
  return e.comment !== undefined ? { elem: { val: key, comment: e.comment } } : key;
}

function objectJSON(verb: Operation['verb'], o: NftObject, family: string, table: string): JsonExpr {
  switch (o.kind) {
    case 'table':
      return {
        table: { family, name: table, ...(verb === 'add' && o.comment !== undefined ? { comment: o.comment } : {}) },
      };
    case 'chain': {
      const c: JsonExpr = { family, table, name: o.name };
      if (verb === 'add' && o.base)
        Object.assign(c, { type: o.base.type, hook: o.base.hook, prio: o.base.priority, policy: 'accept' });
      if (verb === 'add' && o.comment !== undefined) c.comment = o.comment;
      return { chain: c };
    }
    case 'set': {
      const s: JsonExpr = { family, table, name: o.name };
      if (verb === 'add') {
        s.type = o.type;
        const flags = (o.flags ?? []).filter((f) => f !== 'dynamic');
        if (flags.length) s.flags = flags;
        if (o.timeout !== undefined) s.timeout = o.timeout;
        if (o.comment !== undefined) s.comment = o.comment;
      }
      return { set: s };
    }
    case 'map': {
      const m: JsonExpr = { family, table, name: o.name };
      if (verb === 'add') {
        const types = (o.keyType ?? '').split(' . ');
        m.type = types.length === 1 ? types[0] : types;
        m.map = o.valueType;
        if (o.comment !== undefined) m.comment = o.comment;
      }
      return { map: m };
    }
    case 'rule': {
      const r: JsonExpr = { family, table, chain: o.chain, expr: o.expr ?? [] };
      if (o.comment !== undefined) r.comment = o.comment;
      return { rule: r };
    }
    case 'element': {
      const key = elementKey(o);
      const elem = verb === 'add' && o.value !== undefined ? [key, verdictExpr(o.value)] : key;
      return { element: { family, table, name: o.name, elem: [elem] } };
    }
  }
}

/** The transaction as a libnftables JSON document (one command per array entry). */
export function toJSON(tx: Transaction): string {
  // One command a line: still one JSON document, but diffable and readable in golden files.
  const lines: string[] = [];
  for (let i = 0; i < tx.objects.length; i++) {
    const o = tx.objects[i]!;
    const verb = tx.verbs[i]!;
    if (o.kind === 'rule' && o.expr === undefined)
      throw new Error(`rule in ${o.chain} has no JSON form (render with format json)`);
    lines.push(JSON.stringify({ [verb]: objectJSON(verb, o, tx.family, tx.table) }));
  }
  return `{"nftables": [\n${lines.join(',\n')}\n]}\n`;
}
