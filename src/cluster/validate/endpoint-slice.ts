import {
  MAX_ENDPOINT_ADDRESSES,
  MAX_SERVICE_PORTS,
  MAX_SLICE_ENDPOINTS,
  MAX_SLICE_PORTS,
  MAX_SUBSET_ADDRESSES,
} from '../limits/index.js';
import { parseIPSloppy } from '../sloppy-ip.js';
import { describe, isRecord, type ValidationContext } from './context.js';
import {
  checkArray,
  checkBool,
  checkEnum,
  checkIP,
  checkPort,
  checkProtocol,
  isDNS1123Label,
  isDNS1123Subdomain,
  isSpecialEndpointIP,
} from './formats.js';

const MAX_HINTS = 8;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** ValidateEndpointIP: an endpoint may not be unspecified, loopback or link-local. */
function checkEndpointIP(ctx: ValidationContext, field: string, text: string): void {
  const ip = parseIPSloppy(text);
  const why = ip && isSpecialEndpointIP(ip);
  if (why)
    ctx.warn(field, `${JSON.stringify(text)} may not be ${why} (the API server rejects this; kube-proxy programs it)`);
}

/** validateHints: at most 8 zone (and node) hints, no duplicates, zones are label values. */
function validateHints(ctx: ValidationContext, f: string, hints: unknown): void {
  if (hints === undefined || hints === null) return;
  if (!isRecord(hints)) {
    ctx.error(f, `must be an object, got ${describe(hints)}`);
    return;
  }
  for (const kind of ['forZones', 'forNodes'] as const) {
    if (!checkArray(ctx, `${f}.${kind}`, hints[kind])) continue;
    const list = hints[kind] as unknown[];
    if (list.length > MAX_HINTS) {
      ctx.warn(`${f}.${kind}`, `at most ${MAX_HINTS} hints, got ${list.length} (the API server rejects this)`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((h, i) => {
      const name = isRecord(h) ? h.name : undefined;
      const nf = `${f}.${kind}[${i}].name`;
      const valid =
        typeof name === 'string' &&
        (kind === 'forZones' ? name.length <= 63 && LABEL_VALUE.test(name) : isDNS1123Subdomain(name));
      if (!valid) ctx.error(nf, `${describe(name)} must be a ${kind === 'forZones' ? 'label value' : 'node name'}`);
      else if (seen.has(name)) ctx.warn(nf, `duplicate ${JSON.stringify(name)} (the API server rejects this)`);
      else seen.add(name);
    });
  }
}

export function validateEndpointSlice(ctx: ValidationContext, obj: Record<string, unknown>): void {
  const addressType = obj.addressType;
  if (addressType === undefined) ctx.error('addressType', 'required: IPv4, IPv6 or FQDN');
  else checkEnum(ctx, 'addressType', addressType, ['IPv4', 'IPv6', 'FQDN']);
  if (
    checkArray(ctx, 'endpoints', obj.endpoints) &&
    ctx.withinLimit('endpoints', obj.endpoints as unknown[], MAX_SLICE_ENDPOINTS, 'the API server’s maximum')
  ) {
    (obj.endpoints as unknown[]).forEach((ep, i) => {
      const f = `endpoints[${i}]`;
      if (!isRecord(ep)) return ctx.error(f, `must be an object, got ${describe(ep)}`);
      if (!Array.isArray(ep.addresses) || ep.addresses.length === 0) {
        ctx.error(`${f}.addresses`, 'required: at least one address');
      } else {
        if (ctx.withinLimit(`${f}.addresses`, ep.addresses, MAX_ENDPOINT_ADDRESSES, 'the API server’s maximum'))
          ep.addresses.forEach((a, j) => {
            const af = `${f}.addresses[${j}]`;
            if (addressType === 'FQDN') {
              if (typeof a !== 'string' || !isDNS1123Subdomain(a))
                ctx.error(af, `${describe(a)} must be a DNS subdomain`);
              return;
            }
            const fam = checkIP(ctx, af, a);
            if (fam && (addressType === 'IPv4' || addressType === 'IPv6') && fam !== addressType)
              ctx.error(af, `is an ${fam} address in a slice of addressType ${addressType}`);
            else if (fam) checkEndpointIP(ctx, af, a as string);
          });
      }
      if (ep.conditions !== undefined && ep.conditions !== null) {
        if (!isRecord(ep.conditions)) ctx.error(`${f}.conditions`, `must be an object, got ${describe(ep.conditions)}`);
        else
          for (const c of ['ready', 'serving', 'terminating']) checkBool(ctx, `${f}.conditions.${c}`, ep.conditions[c]);
      }
      if (
        ep.hostname !== undefined &&
        ep.hostname !== null &&
        (typeof ep.hostname !== 'string' || !isDNS1123Label(ep.hostname))
      )
        ctx.error(`${f}.hostname`, `${describe(ep.hostname)} must be a DNS-1123 label`);
      if (
        ep.nodeName !== undefined &&
        ep.nodeName !== null &&
        (typeof ep.nodeName !== 'string' || !isDNS1123Subdomain(ep.nodeName))
      )
        ctx.error(`${f}.nodeName`, `${describe(ep.nodeName)} must be a DNS-1123 subdomain`);
      validateHints(ctx, `${f}.hints`, ep.hints);
    });
  }
  if (
    checkArray(ctx, 'ports', obj.ports) &&
    ctx.withinLimit('ports', obj.ports as unknown[], MAX_SLICE_PORTS, 'the API server’s maximum')
  ) {
    const names = new Set<string>();
    (obj.ports as unknown[]).forEach((p, i) => {
      const f = `ports[${i}]`;
      if (!isRecord(p)) return ctx.error(f, `must be an object, got ${describe(p)}`);
      const name = p.name ?? '';
      if (typeof name !== 'string' || (name !== '' && !isDNS1123Label(name)))
        ctx.error(`${f}.name`, `${describe(p.name)} must be empty or a DNS-1123 label`);
      else if (names.has(name)) ctx.error(`${f}.name`, `duplicate port name ${JSON.stringify(name)}`);
      else names.add(name);
      if (p.port !== undefined && p.port !== null) checkPort(ctx, `${f}.port`, p.port, true);
      checkProtocol(ctx, `${f}.protocol`, p.protocol);
    });
  }
}

/** Legacy v1 Endpoints. */
export function validateEndpoints(ctx: ValidationContext, obj: Record<string, unknown>): void {
  if (!checkArray(ctx, 'subsets', obj.subsets)) return;
  if (!ctx.withinLimit('subsets', obj.subsets as unknown[], MAX_SUBSET_ADDRESSES, 'kubeplane’s bound')) return;
  (obj.subsets as unknown[]).forEach((s, i) => {
    const f = `subsets[${i}]`;
    if (!isRecord(s)) return ctx.error(f, `must be an object, got ${describe(s)}`);
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (count(s.addresses) + count(s.notReadyAddresses) === 0)
      ctx.warn(f, 'has no addresses or notReadyAddresses: ignored (the API server rejects this)');
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      if (!checkArray(ctx, `${f}.${list}`, s[list])) continue;
      if (!ctx.withinLimit(`${f}.${list}`, s[list] as unknown[], MAX_SUBSET_ADDRESSES, 'kubeplane’s bound')) continue;
      (s[list] as unknown[]).forEach((a, j) => {
        if (!isRecord(a)) return ctx.error(`${f}.${list}[${j}]`, `must be an object, got ${describe(a)}`);
        if (checkIP(ctx, `${f}.${list}[${j}].ip`, a.ip)) checkEndpointIP(ctx, `${f}.${list}[${j}].ip`, a.ip as string);
      });
    }
    if (
      checkArray(ctx, `${f}.ports`, s.ports) &&
      ctx.withinLimit(`${f}.ports`, s.ports as unknown[], MAX_SERVICE_PORTS, 'kubeplane’s bound')
    ) {
      const ports = s.ports as unknown[];
      ports.forEach((p, j) => {
        if (!isRecord(p)) return ctx.error(`${f}.ports[${j}]`, `must be an object, got ${describe(p)}`);
        checkPort(ctx, `${f}.ports[${j}].port`, p.port);
        checkProtocol(ctx, `${f}.ports[${j}].protocol`, p.protocol);
        if (ports.length > 1 && (typeof p.name !== 'string' || p.name === ''))
          ctx.error(`${f}.ports[${j}].name`, 'required when a subset has more than one port');
      });
    }
  });
}
