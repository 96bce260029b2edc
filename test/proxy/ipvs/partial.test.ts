// A partial sync's change lines, applied to what the full sync of the old state wrote, give what
// a full sync of the new state writes (as sets of entries); and the memo passed in stays valid.
import { describe, expect, test } from 'vitest';
import type { ClusterObject } from '../../../src/cluster/types.js';
import { fixture } from '../../support/cli.js';
import { objectsOf, part, renderFull, renderPartial } from './render.js';

interface Kernel {
  vs: Map<string, string>;
  rs: Map<string, string>;
  members: Set<string>;
  addresses: Set<string>;
}

function loadFull(r: ReturnType<typeof renderFull>): Kernel {
  const k: Kernel = { vs: new Map(), rs: new Map(), members: new Set(), addresses: new Set() };
  applyIpvs(k, part(r, 'ipvs'));
  for (const l of part(r, 'ipset').split('\n')) if (l.startsWith('add ')) k.members.add(l.slice(4));
  for (const l of part(r, 'addresses').split('\n')) if (l) k.addresses.add(l);
  return k;
}

function applyIpvs(k: Kernel, text: string): void {
  for (const line of text.split('\n').filter(Boolean)) {
    const [op, flag, vs, ...rest] = line.split(' ');
    const id = `${flag} ${vs}`;
    if (op === '-A') {
      if (k.vs.has(id)) throw new Error(`-A of an existing ${id}`);
      k.vs.set(id, line.slice(3));
    } else if (op === '-E') k.vs.set(id, line.slice(3));
    else if (op === '-D') {
      k.vs.delete(id);
      for (const r of [...k.rs.keys()]) if (r.startsWith(`${id} `)) k.rs.delete(r);
    } else {
      const rid = `${id} ${rest[1]}`;
      if (op === '-a') k.rs.set(rid, line.slice(3));
      else if (op === '-e') k.rs.set(rid, line.slice(3));
      else if (op === '-d') k.rs.delete(rid);
    }
  }
}

function applyPartial(k: Kernel, r: ReturnType<typeof renderFull>): void {
  applyIpvs(k, part(r, 'ipvs'));
  for (const l of part(r, 'ipset').split('\n').filter(Boolean)) {
    if (l.startsWith('add ')) k.members.add(l.slice(4));
    else if (l.startsWith('del ')) expect(k.members.delete(l.slice(4))).toBe(true);
  }
  for (const l of part(r, 'addresses').split('\n').filter(Boolean)) {
    if (l.startsWith('add ')) k.addresses.add(l.slice(4));
    else expect(k.addresses.delete(l.slice(4))).toBe(true);
  }
}

const sorted = (k: Kernel) => ({
  vs: [...k.vs.values()].sort(),
  rs: [...k.rs.values()].sort(),
  members: [...k.members].sort(),
  addresses: [...k.addresses].sort(),
});

type Edit = (objs: ClusterObject[]) => ClusterObject[];
const clone = (o: ClusterObject[]) => structuredClone(o) as ClusterObject[];
const svc = (objs: ClusterObject[], name: string) =>
  objs.find((o) => o.kind === 'Service' && o.metadata.name === name) as Extract<ClusterObject, { kind: 'Service' }>;

const edits: { name: string; edit: Edit }[] = [
  { name: 'no change', edit: (o) => o },
  {
    name: 'delete every LoadBalancer and NodePort Service',
    edit: (o) => o.filter((x) => !(x.kind === 'Service' && x.spec?.type && x.spec.type !== 'ClusterIP')),
  },
  {
    name: 'drop every other EndpointSlice',
    edit: (o) => o.filter((x, i) => x.kind !== 'EndpointSlice' || i % 2 === 0),
  },
  {
    name: 'add an external IP and session affinity',
    edit: (o) => {
      const first = o.find((x) => x.kind === 'Service' && x.spec?.clusterIP && x.spec.clusterIP !== 'None');
      const s = svc(o, first!.metadata!.name!);
      s.spec!.externalIPs = [...(s.spec!.externalIPs ?? []), '198.51.100.77'];
      s.spec!.sessionAffinity = 'ClientIP';
      return o;
    },
  },
];

describe('ipvs partial syncs', async () => {
  const demo = await objectsOf([fixture('demo')]);
  test.each(edits)('full(A) + partial(A->B) = full(B): $name', ({ edit }) => {
    const b = edit(clone(demo));
    const { full, partial } = renderPartial(demo, b);
    const memoBefore = JSON.stringify([...full.memo.refs.entries()]);
    const k = loadFull(full);
    applyPartial(k, partial);
    expect(sorted(k)).toEqual(sorted(loadFull(renderFull(b))));
    expect(part(partial, 'iptables')).toBe(part(renderFull(b), 'iptables'));
    // The memo passed in is not mutated.
    expect(JSON.stringify([...full.memo.refs.entries()])).toBe(memoBefore);
  });

  test('a removed TCP real server is drained to weight 0, then deleted', () => {
    const b = edits[2]!.edit(clone(demo));
    const { partial } = renderPartial(demo, b);
    const lines = part(partial, 'ipvs').split('\n');
    const d = lines.findIndex((l) => l.startsWith('-d -t '));
    expect(d).toBeGreaterThan(0);
    expect(lines[d - 1]).toMatch(/^-e -t .* -w 0$/);
    expect(partial.summary.join('\n')).toMatch(/real servers: \+\d+ -[1-9]/);
  });
});
