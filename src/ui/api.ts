// The console's JSON API: one function per view, each a query string in and a JSON body out, read
// from the current ConsoleView. Pure of sockets (the server hands requests in), so every route is
// also callable in-process. Bad parameters throw ConsoleRequestError, which the server turns into 400.
import type { IPFamily, Service } from '../cluster/types.js';
import type { Trace } from '../dataplane/packet.js';
import { ConsoleRequestError } from '../errors.js';
import { hostPort, oneOf, type Params, required, serviceRef, wholeNumber } from './params.js';
import { type ConsoleView, RULES_MODES, TRACE_MODES } from './view.js';

export type Route = (view: ConsoleView, q: Params) => Promise<unknown> | unknown;

const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const DNS_TYPES = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'NS', 'SOA', 'TXT', 'ANY'] as const;

function summary(view: ConsoleView) {
  const counts: Record<string, number> = {};
  for (const o of view.objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return {
    version: view.version,
    node: view.node,
    nodeIPs: [...view.config.nodeIPs.IPv4, ...view.config.nodeIPs.IPv6],
    counts,
    warnings: view.warnings,
    modes: RULES_MODES,
    traceModes: TRACE_MODES,
    diffAvailable: view.previous !== undefined,
    syncs: view.syncs.length,
  };
}

function serviceRow(view: ConsoleView, svc: Service) {
  const key = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
  const ports = FAMILIES.flatMap((f) =>
    view
      .state(f)
      .portsOfService(key)
      .map((p) => {
        const c = view.state(f).categorized(p);
        return {
          name: p.name,
          family: f,
          protocol: p.protocol,
          clusterIP: p.clusterIP,
          port: p.port,
          nodePort: p.nodePort,
          endpoints: view.state(f).endpointsOf(p).length,
          reachable: c.reachable.map((e) => e.endpoint),
          local: c.local.length,
        };
      }),
  );
  return {
    service: key,
    namespace: svc.metadata.namespace ?? 'default',
    name: svc.metadata.name,
    type: svc.spec.type ?? 'ClusterIP',
    clusterIPs: svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : []),
    declaredPorts: (svc.spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      nodePort: p.nodePort ?? 0,
    })),
    ports,
    endpoints: ports.reduce((n, p) => n + p.endpoints, 0),
    localEndpoints: ports.reduce((n, p) => n + p.local, 0),
    warnings: view.warnings.filter((w) => w.object === key).map((w) => w.message),
  };
}

function services(view: ConsoleView, q: Params) {
  const text = (q.get('q') ?? '').trim().toLowerCase();
  const type = q.get('type') ? oneOf(q, 'type', SERVICE_TYPES) : undefined;
  const limit = wholeNumber(q, 'limit', 1, 10_000, 200);
  const all = view.serviceObjects().filter((s) => {
    if (type && (s.spec.type ?? 'ClusterIP') !== type) return false;
    if (!text) return true;
    const key = `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    return key.includes(text) || (s.spec.clusterIPs ?? [s.spec.clusterIP ?? '']).some((ip) => ip?.includes(text));
  });
  all.sort((a, b) => {
    const ka = `${a.metadata.namespace ?? 'default'}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace ?? 'default'}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { total: all.length, services: all.slice(0, limit).map((s) => serviceRow(view, s)) };
}

async function service(view: ConsoleView, q: Params) {
  const ref = serviceRef(q);
  const family = oneOf(q, 'family', FAMILIES, 'IPv4');
  const svc = view.serviceKeyOrThrow(ref.namespace, ref.name);
  return { ...serviceRow(view, svc), family, owned: await view.ownedLines(ref.key, family) };
}

async function rules(view: ConsoleView, q: Params) {
  const mode = oneOf(q, 'mode', RULES_MODES);
  const family = oneOf(q, 'family', FAMILIES, 'IPv4');
  return view.rules(mode, family);
}

function traceJson(t: Trace) {
  return {
    verdict: t.verdict,
    endpoint: t.endpoint,
    masquerade: t.masquerade,
    path: t.path.map((s) => ({ table: s.table, chain: s.chain, rule: s.rule, line: s.line, text: s.text })),
    notes: t.notes,
    rulesVisited: t.rulesVisited,
  };
}

async function trace(view: ConsoleView, q: Params) {
  const mode = oneOf(q, 'mode', TRACE_MODES);
  const from = hostPort(q, 'from', false);
  const to = hostPort(q, 'to', true);
  if (from.v6 !== to.v6) throw new ConsoleRequestError('from', 'must be of the same IP family as to');
  const proto = oneOf(q, 'proto', ['tcp', 'udp', 'sctp'] as const, 'tcp');
  const hook = oneOf(q, 'hook', ['prerouting', 'output'] as const, 'prerouting');
  // Bounded: a request never runs more than 10,000 connections through the emulator.
  const count = wholeNumber(q, 'count', 1, 10_000, 1);
  const seed = wholeNumber(q, 'seed', 0, 2 ** 32, 1);
  const r = await view.trace({
    mode,
    count,
    seed,
    packet: { proto, src: from.host, sport: from.port ?? 40000, dst: to.host, dport: to.port!, hook },
  });
  return {
    mode,
    ...traceJson(r.first),
    ...(r.counts
      ? {
          count,
          counts: Object.fromEntries(r.counts),
          expected: Object.fromEntries(r.expected!),
          chiSquareP: r.chiSquareP,
        }
      : {}),
  };
}

async function explain(view: ConsoleView, q: Params) {
  const ref = serviceRef(q);
  const port = q.get('port');
  view.serviceKeyOrThrow(ref.namespace, ref.name);
  if (port !== null && !/^[a-z0-9-]{1,63}$/.test(port))
    throw new ConsoleRequestError('port', `${JSON.stringify(port)} must be a port name or number`);
  const text = await view.explain(`${ref.key}${port ? `:${port}` : ''}`);
  return { service: ref.key, node: view.node, text };
}

async function dns(view: ConsoleView, q: Params) {
  const name = required(q, 'name');
  if (name.length > 253 || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw new ConsoleRequestError('name', `${JSON.stringify(name)} is not a DNS name`);
  const typeName = oneOf(q, 'type', DNS_TYPES, 'A');
  const namespace = q.get('namespace') || 'default';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
    throw new ConsoleRequestError('namespace', `${JSON.stringify(namespace)} is not a namespace name`);
  const ndots = wholeNumber(q, 'ndots', 0, 15, 5);
  const { resolveAsPod } = await import('../dns/resolve.js');
  const { DEFAULT_ZONE_OPTIONS } = await import('../dns/zone.js');
  const { TYPE, rcodeName } = await import('../dns/types.js');
  const { rrText } = await import('../dns/text.js');
  const r = resolveAsPod(view.zone(), DEFAULT_ZONE_OPTIONS, name, TYPE[typeName], namespace, ndots);
  const step = (s: (typeof r.steps)[number]) => ({
    name: s.name,
    rcode: rcodeName(s.answer.rcode),
    answer: s.answer.answer.map(rrText),
  });
  return {
    query: name,
    type: typeName,
    namespace,
    search: r.search,
    ndots: r.ndots,
    steps: r.steps.map(step),
    final: step(r.final),
  };
}

function syncs(view: ConsoleView) {
  return {
    current: view.version,
    syncs: view.syncs.map((s) => ({
      id: s.id,
      at: s.at,
      services: s.objects.filter((o) => o.kind === 'Service').length,
    })),
  };
}

async function diff(view: ConsoleView, q: Params) {
  const mode = oneOf(q, 'mode', RULES_MODES);
  const family = oneOf(q, 'family', FAMILIES, 'IPv4');
  const given = q.has('from') || q.has('to');
  // Without ids: the last change (the snapshot before this one, to this one).
  if (!given && !view.previous) return { mode, family, available: false };
  const toId = q.has('to') ? wholeNumber(q, 'to', 0, Number.MAX_SAFE_INTEGER) : view.version;
  const fromId = q.has('from') ? wholeNumber(q, 'from', 0, Number.MAX_SAFE_INTEGER) : view.previous?.id;
  if (fromId === undefined) throw new ConsoleRequestError('from', 'is required: the console has seen no change yet');
  const from = view.sync(fromId, 'from');
  const to = view.sync(toId, 'to');
  if (from.id === to.id) throw new ConsoleRequestError('to', `must be another sync than from (${from.id})`);
  const d = await view.diff(mode, family, from, to);
  return { mode, family, available: true, from: from.id, to: to.id, ...d };
}

export const ROUTES: Readonly<Record<string, Route>> = {
  '/api/summary': summary,
  '/api/services': services,
  '/api/service': service,
  '/api/rules': rules,
  '/api/trace': trace,
  '/api/explain': explain,
  '/api/dns': dns,
  '/api/ipam': (view) => ({ nodes: view.ipam() }),
  '/api/syncs': syncs,
  '/api/diff': diff,
};
