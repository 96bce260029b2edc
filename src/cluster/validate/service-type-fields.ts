// The Service rules of the API server's validateService / ValidateLoadBalancerStatus that tie a field
// to the Service type or to another field (pkg/apis/core/validation, v1.35). Validation there runs
// after defaulting and allocation (type, sessionAffinity, externalTrafficPolicy, nodePorts,
// healthCheckNodePort), so a field those fill in is never required here; a field they never clear
// is rejected where the API server rejects it.

import { parseIPSloppy } from '../sloppy-ip.js';
import { describe, isRecord, type ValidationContext } from './context.js';
import { checkEnum, isDNS1123Subdomain, isSpecialEndpointIP } from './formats.js';

const LB_ONLY = "may only be used when type is 'LoadBalancer'";
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
    ctx.error(field, `may not be "None" for ${type} services`);
  }
  if (type !== 'ExternalName') return;
  if ((typeof spec.clusterIP === 'string' && spec.clusterIP !== '') || ips.length > 0)
    ctx.error(spec.clusterIP ? 'spec.clusterIP' : 'spec.clusterIPs', 'may not be set for ExternalName services');
  if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0)
    ctx.error('spec.ipFamilies', 'may not be set for ExternalName services');
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
    ctx.error('spec.ipFamilyPolicy', 'may not be set for ExternalName services');
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
    if (problem) ctx.error(`spec.externalIPs[${i}]`, `${JSON.stringify(v)} may not be ${problem}`);
  });
}

function validateLoadBalancerIngress(ctx: ValidationContext, status: unknown, type: unknown): void {
  if (!isRecord(status) || !isRecord(status.loadBalancer)) return;
  const ingress = status.loadBalancer.ingress;
  if (!Array.isArray(ingress) || ingress.length === 0) return;
  if (type !== 'LoadBalancer') {
    // Since 1.29 (AllowServiceLBStatusOnNonLB, locked off in 1.32).
    ctx.error('status.loadBalancer.ingress', LB_ONLY);
    return;
  }
  ingress.forEach((ing, i) => {
    if (!isRecord(ing)) return;
    const f = `status.loadBalancer.ingress[${i}]`;
    const hasIP = typeof ing.ip === 'string' && ing.ip !== '';
    if (ing.ipMode !== undefined && ing.ipMode !== null && !hasIP)
      ctx.error(`${f}.ipMode`, 'may not be specified when ip is not set');
    const host = ing.hostname;
    if (host !== undefined && host !== null && host !== '') {
      if (typeof host !== 'string' || !isDNS1123Subdomain(host))
        ctx.error(`${f}.hostname`, `${describe(host)} must be a DNS-1123 subdomain`);
      else if (parseIPSloppy(host)) ctx.error(`${f}.hostname`, 'must be a DNS name, not an IP address');
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
    ctx.error('spec.loadBalancerSourceRanges', LB_ONLY);
  for (const field of ['allocateLoadBalancerNodePorts', 'loadBalancerClass'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== null && type !== 'LoadBalancer') ctx.error(`spec.${field}`, LB_ONLY);
  }
  const etp = spec.externalTrafficPolicy;
  if (etp !== undefined && etp !== null && !externallyAccessible(type, spec))
    ctx.error(
      'spec.externalTrafficPolicy',
      'may only be set for externally-accessible services (NodePort, LoadBalancer, or with externalIPs)',
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
    ctx.error('spec.sessionAffinityConfig', 'must not be set when sessionAffinity is None');
  checkEnum(ctx, 'spec.trafficDistribution', spec.trafficDistribution, TRAFFIC_DISTRIBUTIONS);
  validateLoadBalancerIngress(ctx, status, type);
}
