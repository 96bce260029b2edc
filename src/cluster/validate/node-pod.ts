import { describe, isRecord, type ValidationContext } from './context.js';
import { checkArray, checkCIDR, checkEnum, checkIP } from './formats.js';
import { validatePodSpec } from './workload.js';

const ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];

function checkDualList(
  ctx: ValidationContext,
  field: string,
  items: unknown[],
  check: (ctx: ValidationContext, f: string, v: unknown) => 'IPv4' | 'IPv6' | undefined,
): void {
  if (items.length > 2) ctx.error(field, `at most 2 entries (one per family), got ${items.length}`);
  const fams = items.map((v, i) => check(ctx, `${field}[${i}]`, v));
  if (fams.length === 2 && fams[0] && fams[0] === fams[1])
    ctx.error(field, 'the two entries must be of different IP families');
}

export function validateNode(ctx: ValidationContext, obj: Record<string, unknown>): void {
  const spec = obj.spec;
  if (isRecord(spec)) {
    if (spec.podCIDR !== undefined && spec.podCIDR !== '') checkCIDR(ctx, 'spec.podCIDR', spec.podCIDR);
    if (checkArray(ctx, 'spec.podCIDRs', spec.podCIDRs))
      checkDualList(ctx, 'spec.podCIDRs', spec.podCIDRs as unknown[], checkCIDR);
  }
  const status = obj.status;
  if (isRecord(status) && checkArray(ctx, 'status.addresses', status.addresses)) {
    (status.addresses as unknown[]).forEach((a, i) => {
      const f = `status.addresses[${i}]`;
      if (!isRecord(a)) return ctx.error(f, `must be an object, got ${describe(a)}`);
      checkEnum(ctx, `${f}.type`, a.type, ADDRESS_TYPES);
      if (a.type === 'InternalIP' || a.type === 'ExternalIP') checkIP(ctx, `${f}.address`, a.address);
    });
  }
}

export function validatePod(ctx: ValidationContext, obj: Record<string, unknown>): void {
  validatePodSpec(ctx, 'spec', obj.spec);
  const status = obj.status;
  if (!isRecord(status)) return;
  if (status.podIP !== undefined && status.podIP !== '') checkIP(ctx, 'status.podIP', status.podIP);
  if (checkArray(ctx, 'status.podIPs', status.podIPs)) {
    const ips = (status.podIPs as unknown[]).map((p) => (isRecord(p) ? p.ip : p));
    checkDualList(ctx, 'status.podIPs', ips, (c, f, v) => checkIP(c, `${f}.ip`, v));
  }
}

export function validateServiceCIDR(ctx: ValidationContext, obj: Record<string, unknown>): void {
  const spec = obj.spec;
  if (!isRecord(spec) || !Array.isArray(spec.cidrs) || spec.cidrs.length === 0) {
    ctx.error('spec.cidrs', 'required: one or two CIDRs');
    return;
  }
  checkDualList(ctx, 'spec.cidrs', spec.cidrs, checkCIDR);
}
