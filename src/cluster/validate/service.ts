// Service validation: the subset of the API server's ValidateService that decides what kube-proxy
// and DNS would see.

import { MAX_SERVICE_PORTS } from '../limits/index.js';
import { parseIPSloppy } from '../sloppy-ip.js';
import { describe, isRecord, type ValidationContext } from './context.js';
import {
  checkArray,
  checkBool,
  checkCIDR,
  checkEnum,
  checkIP,
  checkPort,
  checkProtocol,
  isDNS1123Label,
  isDNS1123Subdomain,
  isIANAServiceName,
} from './formats.js';
import { validateServiceTypeFields } from './service-type-fields.js';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const POLICIES = ['Cluster', 'Local'];
const FAMILIES = ['IPv4', 'IPv6'];
const POLICIES_STACK = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

function validatePorts(ctx: ValidationContext, ports: unknown[], type: unknown): void {
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (!isRecord(p)) {
      ctx.error(f, `must be an object, got ${describe(p)}`);
      return;
    }
    if (p.name === undefined || p.name === '') {
      if (ports.length > 1) ctx.error(`${f}.name`, 'required when a Service has more than one port');
    } else if (typeof p.name !== 'string' || !isDNS1123Label(p.name)) {
      ctx.error(`${f}.name`, `${describe(p.name)} must be a DNS-1123 label`);
    } else if (names.has(p.name)) {
      ctx.error(`${f}.name`, `duplicate port name ${JSON.stringify(p.name)}`);
    } else {
      names.add(p.name);
    }
    checkPort(ctx, `${f}.port`, p.port);
    checkProtocol(ctx, `${f}.protocol`, p.protocol);
    if (p.nodePort !== undefined && p.nodePort !== null) {
      // Clusters configure their own node-port range, so any valid port number is accepted.
      // The API server forbids it for ClusterIP only (ExternalName ports are not checked).
      if (checkPort(ctx, `${f}.nodePort`, p.nodePort, true) && type === 'ClusterIP') {
        // kube-proxy still programs it (its own tests build such Services): a warning.
        if (p.nodePort !== 0)
          ctx.warn(
            `${f}.nodePort`,
            'may only be set when type is NodePort or LoadBalancer (the API server rejects this; kube-proxy programs it)',
          );
      }
    }
    const tp = p.targetPort;
    if (tp !== undefined && tp !== null) {
      // kube-proxy never reads targetPort (endpoints carry the port); 0 is what upstream's own
      // proxier tests leave in it, so it loads with a warning.
      if (tp === 0 || tp === '0')
        ctx.warn(`${f}.targetPort`, 'is 0 (the API server rejects this; kube-proxy does not use it)');
      else if (typeof tp === 'number') checkPort(ctx, `${f}.targetPort`, tp);
      else if (typeof tp !== 'string' || (!/^\d+$/.test(tp) && !isIANAServiceName(tp)))
        ctx.error(`${f}.targetPort`, `${describe(tp)} must be a port number or an IANA service name`);
      else if (/^\d+$/.test(tp)) checkPort(ctx, `${f}.targetPort`, Number(tp));
    }
  });
}

function validateClusterIPs(ctx: ValidationContext, spec: Record<string, unknown>): void {
  const clusterIP = spec.clusterIP;
  const families: ('IPv4' | 'IPv6' | undefined)[] = [];
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None') checkIP(ctx, 'spec.clusterIP', clusterIP);
  if (checkArray(ctx, 'spec.clusterIPs', spec.clusterIPs)) {
    const ips = spec.clusterIPs as unknown[];
    if (ips.length > 2) ctx.error('spec.clusterIPs', `at most 2 entries (one per family), got ${ips.length}`);
    ips.forEach((ip, i) => {
      if (ip === 'None') {
        if (ips.length > 1) ctx.error(`spec.clusterIPs[${i}]`, '"None" must be the only entry');
        families.push(undefined);
        return;
      }
      families.push(checkIP(ctx, `spec.clusterIPs[${i}]`, ip));
    });
    if (ips.length === 2 && families[0] && families[0] === families[1])
      ctx.error('spec.clusterIPs', 'the two cluster IPs must be of different IP families');
    if (clusterIP !== undefined && ips.length > 0 && ips[0] !== clusterIP)
      ctx.error('spec.clusterIPs[0]', `must equal spec.clusterIP (${describe(clusterIP)}), got ${describe(ips[0])}`);
  }
  // The REST layer's initIPFamilyFields: an absent policy means SingleStack, which allows one IP family.
  checkEnum(ctx, 'spec.ipFamilyPolicy', spec.ipFamilyPolicy, POLICIES_STACK);
  if ((spec.ipFamilyPolicy ?? 'SingleStack') === 'SingleStack' && spec.type !== 'ExternalName') {
    const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (len(spec.clusterIPs) === 2 || len(spec.ipFamilies) === 2)
      ctx.error(
        'spec.ipFamilyPolicy',
        `${spec.ipFamilyPolicy === undefined ? 'unset (SingleStack)' : '"SingleStack"'}: must be RequireDualStack or PreferDualStack when two cluster IPs or IP families are given`,
      );
  }
  if (checkArray(ctx, 'spec.ipFamilies', spec.ipFamilies)) {
    const fams = spec.ipFamilies as unknown[];
    if (fams.length > 2) ctx.error('spec.ipFamilies', `at most 2 entries, got ${fams.length}`);
    fams.forEach((f, i) => checkEnum(ctx, `spec.ipFamilies[${i}]`, f, FAMILIES));
    if (fams.length === 2 && fams[0] === fams[1]) ctx.error('spec.ipFamilies', 'the two families must differ');
    families.forEach((fam, i) => {
      if (fam && fams[i] !== undefined && fams[i] !== fam)
        ctx.error(`spec.clusterIPs[${i}]`, `is an ${fam} address but spec.ipFamilies[${i}] is ${describe(fams[i])}`);
    });
    if (families.length === 0 && typeof clusterIP === 'string' && fams[0] !== undefined) {
      const ip = parseIPSloppy(clusterIP);
      if (ip && ip.family !== fams[0])
        ctx.error('spec.clusterIP', `is an ${ip.family} address but spec.ipFamilies[0] is ${describe(fams[0])}`);
    }
  }
}

export function validateService(ctx: ValidationContext, obj: Record<string, unknown>): void {
  const spec = obj.spec;
  if (!isRecord(spec)) {
    ctx.error('spec', `required object, got ${describe(spec)}`);
    return;
  }
  // Past the limit nothing else is read: every port check would only repeat the one answer.
  if (
    Array.isArray(spec.ports) &&
    !ctx.withinLimit('spec.ports', spec.ports, MAX_SERVICE_PORTS, 'more than etcd can store for one Service')
  )
    return;
  const type = spec.type ?? 'ClusterIP';
  checkEnum(ctx, 'spec.type', spec.type, SERVICE_TYPES);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const en = spec.externalName;
    if (typeof en !== 'string' || en === '') ctx.error('spec.externalName', 'required when type is ExternalName');
    else if (!isDNS1123Subdomain(en.endsWith('.') ? en.slice(0, -1) : en))
      ctx.error('spec.externalName', `${describe(en)} must be a DNS subdomain (e.g. my.database.example.com)`);
  }
  if (spec.ports === undefined || spec.ports === null || (Array.isArray(spec.ports) && spec.ports.length === 0)) {
    if (!headless && type !== 'ExternalName') ctx.error('spec.ports', 'required: at least one port');
  } else if (checkArray(ctx, 'spec.ports', spec.ports)) {
    validatePorts(ctx, spec.ports as unknown[], type);
  }
  validateClusterIPs(ctx, spec);
  if (checkArray(ctx, 'spec.externalIPs', spec.externalIPs))
    (spec.externalIPs as unknown[]).forEach((ip, i) => checkIP(ctx, `spec.externalIPs[${i}]`, ip));
  if (checkArray(ctx, 'spec.loadBalancerSourceRanges', spec.loadBalancerSourceRanges))
    (spec.loadBalancerSourceRanges as unknown[]).forEach((r, i) => {
      // kube-proxy trims surrounding spaces from source ranges; so do we.
      checkCIDR(ctx, `spec.loadBalancerSourceRanges[${i}]`, typeof r === 'string' ? r.trim() : r);
    });
  checkEnum(ctx, 'spec.externalTrafficPolicy', spec.externalTrafficPolicy, POLICIES);
  checkEnum(ctx, 'spec.internalTrafficPolicy', spec.internalTrafficPolicy, POLICIES);
  checkEnum(ctx, 'spec.sessionAffinity', spec.sessionAffinity, ['None', 'ClientIP']);
  checkBool(ctx, 'spec.publishNotReadyAddresses', spec.publishNotReadyAddresses);
  const timeout = (spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: unknown } } | undefined)?.clientIP
    ?.timeoutSeconds;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 86400)
      ctx.error(
        'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
        `must be an integer between 1 and 86400, got ${describe(timeout)}`,
      );
  }
  if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort !== null)
    checkPort(ctx, 'spec.healthCheckNodePort', spec.healthCheckNodePort, true);
  validateServiceTypeFields(ctx, spec, obj.status);
  const status = obj.status;
  if (
    isRecord(status) &&
    isRecord(status.loadBalancer) &&
    checkArray(ctx, 'status.loadBalancer.ingress', status.loadBalancer.ingress)
  ) {
    (status.loadBalancer.ingress as unknown[]).forEach((ing, i) => {
      if (!isRecord(ing))
        return ctx.error(`status.loadBalancer.ingress[${i}]`, `must be an object, got ${describe(ing)}`);
      if (ing.ip !== undefined && ing.ip !== '') checkIP(ctx, `status.loadBalancer.ingress[${i}].ip`, ing.ip);
      checkEnum(ctx, `status.loadBalancer.ingress[${i}].ipMode`, ing.ipMode, ['VIP', 'Proxy']);
    });
  }
}
