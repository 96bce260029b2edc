// What `kubeplane explain` and the console's explain view say: for one Service, where each kind of
// client ends up under iptables and under nftables, and the rules that decide it. Every answer is a
// trace through the rendered rule text (all branches, with their probabilities); the Service object
// only says which destinations to try.
import type { ClusterObject, Node, Service } from '../cluster/types.js';
import { UsageError } from '../errors.js';
import { type Dataplane, outcomesOf } from './dataplane.js';
import type { Outcome } from './outcomes.js';
import type { Packet, Protocol } from './packet.js';

interface Client {
  label: string;
  src: string;
  hook: 'prerouting' | 'output';
  /** The node whose rules the packet meets. */
  node: string;
}

function podIP(n: Node | undefined): string | undefined {
  const cidr = n?.spec?.podCIDR ?? n?.spec?.podCIDRs?.find((c) => !c.includes(':'));
  if (!cidr) return undefined;
  const [net] = cidr.split('/');
  const o = net!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${(o[3] ?? 0) + 200}`;
}

function nodeIP(n: Node | undefined): string | undefined {
  return n?.status?.addresses?.find((a) => a.type === 'InternalIP' && !a.address.includes(':'))?.address;
}

/** Rules of one mode on one node, loaded for tracing (the caller renders them: the mode registry is its). */
export type PlaneFor = (mode: 'iptables' | 'nftables', node: string) => Promise<Dataplane>;

/**
 * For one Service ("ns/name[:port]"), where each kind of client ends up in iptables and nftables
 * mode and the rules that decide it, in words. Every answer is a trace through the rendered rules.
 */
export async function explainService(
  objects: readonly ClusterObject[],
  nodeName: string,
  ref: string,
  planeFor: PlaneFor,
): Promise<string> {
  const m = /^(?:([^/]+)\/)?([^/:]+)(?::(.+))?$/.exec(ref);
  if (!m) throw new UsageError(`service: ${JSON.stringify(ref)} must be NAMESPACE/NAME[:PORT]`);
  const [, ns = 'default', name, portRef] = m;
  const svc = objects.find(
    (o): o is Service => o.kind === 'Service' && o.metadata.name === name && (o.metadata.namespace ?? 'default') === ns,
  );
  if (!svc) throw new UsageError(`service: no Service ${ns}/${name} in the input`);
  const ports = (svc.spec.ports ?? []).filter(
    (p) => portRef === undefined || p.name === portRef || String(p.port) === portRef,
  );
  if (ports.length === 0) throw new UsageError(`service: ${ns}/${name} has no port ${portRef}`);
  const nodes = objects.filter((o): o is Node => o.kind === 'Node');
  const self = nodes.find((n) => n.metadata.name === nodeName);
  const other = nodes.find((n) => n.metadata.name !== nodeName);
  const selfIP = nodeIP(self);
  const clients: Client[] = [];
  const selfPod = podIP(self);
  if (selfPod)
    clients.push({ label: `a pod on ${nodeName} (${selfPod})`, src: selfPod, hook: 'prerouting', node: nodeName });
  if (selfIP) clients.push({ label: `${nodeName} itself (${selfIP})`, src: selfIP, hook: 'output', node: nodeName });
  clients.push({
    label: 'an external client (203.0.113.250)',
    src: '203.0.113.250',
    hook: 'prerouting',
    node: nodeName,
  });
  const otherPod = podIP(other);
  if (other && otherPod)
    clients.push({
      label: `a pod on ${other.metadata.name} (${otherPod}, through that node's rules)`,
      src: otherPod,
      hook: 'prerouting',
      node: other.metadata.name,
    });

  const planes = new Map<string, Dataplane>();
  const plane = async (mode: 'iptables' | 'nftables', node: string) => {
    const k = `${mode} ${node}`;
    let dp = planes.get(k);
    if (!dp) {
      dp = await planeFor(mode, node);
      planes.set(k, dp);
    }
    return dp;
  };

  let out = `Service ${ns}/${name} (type ${svc.spec.type ?? 'ClusterIP'}), rules of node ${nodeName}\n`;
  for (const port of ports) {
    const proto = (port.protocol ?? 'TCP').toLowerCase() as Protocol;
    const dests: { label: string; ip: string; port: number }[] = [];
    if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None' && !svc.spec.clusterIP.includes(':'))
      dests.push({ label: 'cluster IP', ip: svc.spec.clusterIP, port: port.port });
    if (port.nodePort && selfIP) dests.push({ label: 'node port', ip: selfIP, port: port.nodePort });
    for (const ip of svc.spec.externalIPs ?? [])
      if (!ip.includes(':')) dests.push({ label: 'external IP', ip, port: port.port });
    for (const i of svc.status?.loadBalancer?.ingress ?? [])
      if (i.ip && !i.ip.includes(':')) dests.push({ label: 'load balancer IP', ip: i.ip, port: port.port });
    out += `\nport ${port.name ?? port.port} (${port.port}/${proto})\n`;
    for (const d of dests)
      for (const mode of ['iptables', 'nftables'] as const) {
        out += `  ${mode}: ${d.label} ${d.ip}:${d.port}\n`;
        for (const c of clients) {
          const dp = await plane(mode, c.node);
          const p: Packet = { proto, src: c.src, sport: 40000, dst: d.ip, dport: d.port, hook: c.hook };
          out += `    from ${c.label}: ${describe(outcomesOf(dp, p))}\n`;
        }
      }
  }
  return out;
}

function describe(outcomes: readonly Outcome[]): string {
  const byKey = new Map<string, number>();
  for (const o of outcomes) {
    const k = o.trace.endpoint ? `${o.trace.endpoint}` : o.trace.verdict;
    byKey.set(k, (byKey.get(k) ?? 0) + o.probability);
  }
  const first = outcomes[0]!.trace;
  const masq = outcomes.some((o) => o.trace.masquerade);
  let where: string;
  if (first.verdict === 'DNAT' || first.endpoint)
    where = `to ${[...byKey].map(([k, p]) => `${k} (${(100 * p).toFixed(0)}%)`).join(', ')}${masq ? ', masqueraded' : ''}`;
  else if (first.verdict === 'ACCEPT') where = 'not handled by kube-proxy (accepted, not translated)';
  else where = `${first.verdict}`;
  // The rules that decided it: the DNAT (or final) rule with the two before it, and the masquerade.
  const steps = first.path.filter((s) => s.rule !== 'policy' && s.line > 0);
  const dnat = steps.findLastIndex((s) => /-j DNAT|dnat to/.test(s.text));
  const at = dnat >= 0 ? dnat : steps.length - 1;
  const deciding = steps.slice(Math.max(0, at - 2), at + 1);
  const masqRule = masq ? steps.find((s) => /MASQUERADE|masquerade/.test(s.text)) : undefined;
  if (masqRule && !deciding.includes(masqRule)) deciding.push(masqRule);
  const why = deciding.map((s) => `\n        line ${s.line} (${s.table} ${s.chain}): ${s.text}`).join('');
  return `${where}${why}`;
}
