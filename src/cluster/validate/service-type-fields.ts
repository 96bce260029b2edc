// The Service rules of the API server's validateService / ValidateLoadBalancerStatus that tie a field
// to the Service type or to another field (pkg/apis/core/validation, v1.35). Validation there runs
// after defaulting and allocation (type, sessionAffinity, externalTrafficPolicy, nodePorts,
// healthCheckNodePort), so a field those fill in is never required here.
// Duplicate ports are errors (two rules for one port). The other rules are warnings: kube-proxy
// reads such objects without complaint (its own proxier tests build many of them, and clusters keep
// objects stored before a rule was tightened), so refusing them would refuse inputs it renders.

import { parseIPSloppy } from '../../net/sloppy.js';
import { describe, isRecord, type ValidationContext } from './context.js';
import { isDNS1123Subdomain, isSpecialEndpointIP } from './formats.js';

const LB_ONLY = "may only be used when type is 'LoadBalancer'";
/** Appended to warnings for rules the API server enforces but kube-proxy does not. */
const READ_ANYWAY = ' (the API server rejects this; loaded as kube-proxy reads it)';
const TRAFFIC_DISTRIBUTIONS = ['PreferClose', 'PreferSameZone', 'PreferSameNode'];

function externallyAccessible(type: unknown, spec: Record<string, unknown>): boolean {
  return (
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0)
  );
}

function validateHeadlessAndExternalName(ctx: ValidationContext, spec: Record<string, unknown>, type: unknown): void {
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const headless = spec.clusterIP === 'None' || (ips.length === 1 && ips[0] === 'None');
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
    const field = spec.clusterIP === 'None' ? 'spec.clusterIP' : 'spec.clusterIPs[0]';
    ctx.warn(field, `may not be "None" for ${type} services${READ_ANYWAY}`);
  }
  if (type !== 'ExternalName') return;
  if ((typeof spec.clusterIP === 'string' && spec.clusterIP !== '') || ips.length > 0)
    ctx.warn(
      spec.clusterIP ? 'spec.clusterIP' : 'spec.clusterIPs',
      `may not be set for ExternalName services${READ_ANYWAY}`,
    );
  if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0)
    ctx.warn('spec.ipFamilies', `may not be set for ExternalName services${READ_ANYWAY}`);
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
    ctx.warn('spec.ipFamilyPolicy', `may not be set for ExternalName services${READ_ANYWAY}`);
}

/** Two ports may not share (protocol, port), nor (protocol, nodePort) for a non-zero nodePort. */
function validatePortKeys(ctx: ValidationContext, ports: unknown): void {
  if (!Array.isArray(ports)) return;
  const seen = new Set<string>();
  const seenNode = new Set<string>();
  ports.forEach((p, i) => {
    if (!isRecord(p)) return;
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    const key = `${protocol}/${String(p.port)}`;
    if (seen.has(key)) ctx.error(`spec.ports[${i}]`, `duplicate port ${p.port}/${protocol}`);
    seen.add(key);
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
      const nodeKey = `${protocol}/${p.nodePort}`;
      if (seenNode.has(nodeKey)) ctx.error(`spec.ports[${i}].nodePort`, `duplicate nodePort ${p.nodePort}/${protocol}`);
      seenNode.add(nodeKey);
    }
  });
}

function validateExternalIPsSpecial(ctx: ValidationContext, list: unknown): void {
  if (!Array.isArray(list)) return;
  list.forEach((v, i) => {
    const ip = typeof v === 'string' ? parseIPSloppy(v) : undefined;
    const problem = ip && isSpecialEndpointIP(ip);
    if (problem) ctx.warn(`spec.externalIPs[${i}]`, `${JSON.stringify(v)} may not be ${problem}${READ_ANYWAY}`);
  });
}

function validateLoadBalancerIngress(ctx: ValidationContext, status: unknown, type: unknown): void {
  if (!isRecord(status) || !isRecord(status.loadBalancer)) return;
  const ingress = status.loadBalancer.ingress;
  if (!Array.isArray(ingress) || ingress.length === 0) return;
  if (type !== 'LoadBalancer') {
    // Since 1.29 (AllowServiceLBStatusOnNonLB, locked off in 1.32).
    ctx.warn('status.loadBalancer.ingress', LB_ONLY + READ_ANYWAY);
    return;
  }
  ingress.forEach((ing, i) => {
    if (!isRecord(ing)) return;
    const f = `status.loadBalancer.ingress[${i}]`;
    const hasIP = typeof ing.ip === 'string' && ing.ip !== '';
    if (ing.ipMode !== undefined && ing.ipMode !== null && !hasIP)
      ctx.warn(`${f}.ipMode`, `may not be specified when ip is not set${READ_ANYWAY}`);
    const host = ing.hostname;
    if (host !== undefined && host !== null && host !== '') {
      if (typeof host !== 'string' || !isDNS1123Subdomain(host))
        ctx.warn(`${f}.hostname`, `${describe(host)} must be a DNS-1123 subdomain${READ_ANYWAY}`);
      else if (parseIPSloppy(host)) ctx.warn(`${f}.hostname`, `must be a DNS name, not an IP address${READ_ANYWAY}`);
    }
  });
}

export function validateServiceTypeFields(
  ctx: ValidationContext,
  spec: Record<string, unknown>,
  status: unknown,
): void {
  const type = spec.type ?? 'ClusterIP';
  validateHeadlessAndExternalName(ctx, spec, type);
  validatePortKeys(ctx, spec.ports);
  validateExternalIPsSpecial(ctx, spec.externalIPs);
  if (
    Array.isArray(spec.loadBalancerSourceRanges) &&
    spec.loadBalancerSourceRanges.length > 0 &&
    type !== 'LoadBalancer'
  )
    ctx.warn('spec.loadBalancerSourceRanges', LB_ONLY + READ_ANYWAY);
  for (const field of ['allocateLoadBalancerNodePorts', 'loadBalancerClass'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== null && type !== 'LoadBalancer') ctx.warn(`spec.${field}`, LB_ONLY + READ_ANYWAY);
  }
  const etp = spec.externalTrafficPolicy;
  if (etp !== undefined && etp !== null && !externallyAccessible(type, spec))
    ctx.warn(
      'spec.externalTrafficPolicy',
      `may only be set for externally-accessible services (NodePort, LoadBalancer, or with externalIPs)${READ_ANYWAY}`,
    );
  const hc = spec.healthCheckNodePort;
  // The API server rejects this, but kube-proxy's own proxier tests build such Services (and it
  // ignores the port), so clusters taken from them must still load: a warning, not an error.
  if (typeof hc === 'number' && hc !== 0 && !(type === 'LoadBalancer' && etp === 'Local'))
    ctx.warn(
      'spec.healthCheckNodePort',
      "ignored: only used when type is 'LoadBalancer' and externalTrafficPolicy is 'Local' (the API server rejects it)",
    );
  const affinity = spec.sessionAffinity ?? 'None';
  if (affinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null)
    ctx.warn('spec.sessionAffinityConfig', `must not be set when sessionAffinity is None${READ_ANYWAY}`);
  const td = spec.trafficDistribution;
  if (td !== undefined && td !== null && !TRAFFIC_DISTRIBUTIONS.includes(td as string))
    ctx.warn(
      'spec.trafficDistribution',
      `${describe(td)} is not one of ${TRAFFIC_DISTRIBUTIONS.join(', ')}; kube-proxy treats it as unset${READ_ANYWAY}`,
    );
  validateLoadBalancerIngress(ctx, status, type);
}
