import { describe, isRecord, type ValidationContext } from './context.js';
import { checkBool, checkCIDR, checkEnum, checkIP, isDNS1123Subdomain } from './formats.js';

const DETECT_LOCAL_MODES = ['', 'ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'];
const PROXY_MODES = ['iptables', 'ipvs', 'nftables'];
const IPVS_SCHEDULERS = ['', 'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh'];

function checkMasqueradeBit(ctx: ValidationContext, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 31)
    ctx.error(field, `must be an integer between 0 and 31, got ${describe(v)}`);
}

export function validateKubeProxyConfiguration(ctx: ValidationContext, obj: Record<string, unknown>): void {
  if (obj.hostnameOverride !== undefined && obj.hostnameOverride !== '') {
    if (typeof obj.hostnameOverride !== 'string' || !isDNS1123Subdomain(obj.hostnameOverride.trim().toLowerCase()))
      ctx.error('hostnameOverride', `${describe(obj.hostnameOverride)} must be a DNS-1123 subdomain`);
  }
  if (obj.bindAddress !== undefined && obj.bindAddress !== '') checkIP(ctx, 'bindAddress', obj.bindAddress);
  if (obj.clusterCIDR !== undefined && obj.clusterCIDR !== '') {
    if (typeof obj.clusterCIDR !== 'string')
      ctx.error('clusterCIDR', `must be a string, got ${describe(obj.clusterCIDR)}`);
    else {
      // kube-proxy's validateDualStackCIDRStrings: one CIDR, or one of each family.
      const parts = obj.clusterCIDR.split(',').map((c) => c.trim());
      const families = parts.map((c, i) => checkCIDR(ctx, `clusterCIDR[${i}]`, c));
      if (parts.length > 2) ctx.error('clusterCIDR', `at most 2 CIDRs (one per family), got ${parts.length}`);
      else if (parts.length === 2 && families[0] && families[0] === families[1])
        ctx.error('clusterCIDR', 'two CIDRs must be of different IP families');
    }
  }
  if (obj.mode !== '') checkEnum(ctx, 'mode', obj.mode, PROXY_MODES);
  checkEnum(ctx, 'detectLocalMode', obj.detectLocalMode, DETECT_LOCAL_MODES);
  const detectLocal = isRecord(obj.detectLocal) ? obj.detectLocal : {};
  for (const [mode, field] of [
    ['BridgeInterface', 'bridgeInterface'],
    ['InterfaceNamePrefix', 'interfaceNamePrefix'],
  ] as const) {
    const v = detectLocal[field];
    if (obj.detectLocalMode === mode && (typeof v !== 'string' || v === ''))
      ctx.error(`detectLocal.${field}`, `required when detectLocalMode is ${mode}`);
  }
  if (obj.nodePortAddresses !== undefined && obj.nodePortAddresses !== null) {
    if (!Array.isArray(obj.nodePortAddresses))
      ctx.error('nodePortAddresses', `must be a list, got ${describe(obj.nodePortAddresses)}`);
    else
      obj.nodePortAddresses.forEach((a, i, all) => {
        if (a !== 'primary') checkCIDR(ctx, `nodePortAddresses[${i}]`, a);
        else if (all.length !== 1) ctx.error(`nodePortAddresses[${i}]`, `can't use both "primary" and CIDRs`);
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
