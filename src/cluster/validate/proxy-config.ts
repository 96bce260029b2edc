import { describe, isRecord, type ValidationContext } from './context.js';
import { checkBool, checkCIDR, checkEnum, isDNS1123Subdomain } from './formats.js';

const DETECT_LOCAL_MODES = ['', 'ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'];
const IPVS_SCHEDULERS = ['', 'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh'];

function checkMasqueradeBit(ctx: ValidationContext, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 31)
    ctx.error(field, `must be an integer between 0 and 31, got ${describe(v)}`);
}

export function validateKubeProxyConfiguration(ctx: ValidationContext, obj: Record<string, unknown>): void {
  if (obj.hostnameOverride !== undefined && obj.hostnameOverride !== '') {
    if (typeof obj.hostnameOverride !== 'string' || !isDNS1123Subdomain(obj.hostnameOverride.toLowerCase()))
      ctx.error('hostnameOverride', `${describe(obj.hostnameOverride)} must be a DNS-1123 subdomain`);
  }
  if (obj.clusterCIDR !== undefined && obj.clusterCIDR !== '') {
    if (typeof obj.clusterCIDR !== 'string')
      ctx.error('clusterCIDR', `must be a string, got ${describe(obj.clusterCIDR)}`);
    else obj.clusterCIDR.split(',').forEach((c, i) => checkCIDR(ctx, `clusterCIDR[${i}]`, c.trim()));
  }
  checkEnum(ctx, 'detectLocalMode', obj.detectLocalMode, DETECT_LOCAL_MODES);
  if (obj.nodePortAddresses !== undefined && obj.nodePortAddresses !== null) {
    if (!Array.isArray(obj.nodePortAddresses))
      ctx.error('nodePortAddresses', `must be a list, got ${describe(obj.nodePortAddresses)}`);
    else
      obj.nodePortAddresses.forEach((a, i) => {
        if (a !== 'primary') checkCIDR(ctx, `nodePortAddresses[${i}]`, a);
      });
  }
  for (const section of ['iptables', 'nftables', 'ipvs', 'conntrack'] as const) {
    const s = obj[section];
    if (s !== undefined && s !== null && !isRecord(s)) ctx.error(section, `must be an object, got ${describe(s)}`);
  }
  const ipt = isRecord(obj.iptables) ? obj.iptables : {};
  checkMasqueradeBit(ctx, 'iptables.masqueradeBit', ipt.masqueradeBit);
  checkBool(ctx, 'iptables.masqueradeAll', ipt.masqueradeAll);
  checkBool(ctx, 'iptables.localhostNodePorts', ipt.localhostNodePorts);
  const nft = isRecord(obj.nftables) ? obj.nftables : {};
  checkMasqueradeBit(ctx, 'nftables.masqueradeBit', nft.masqueradeBit);
  checkBool(ctx, 'nftables.masqueradeAll', nft.masqueradeAll);
  const ipvs = isRecord(obj.ipvs) ? obj.ipvs : {};
  checkEnum(ctx, 'ipvs.scheduler', ipvs.scheduler, IPVS_SCHEDULERS);
  const ct = isRecord(obj.conntrack) ? obj.conntrack : {};
  checkBool(ctx, 'conntrack.tcpBeLiberal', ct.tcpBeLiberal);
  for (const k of ['maxPerCore', 'min'] as const) {
    const v = ct[k];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))
      ctx.error(`conntrack.${k}`, `must be a non-negative integer, got ${describe(v)}`);
  }
}
