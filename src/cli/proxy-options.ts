// Flags shared by the commands that render proxy rules (rules, diff, bench).
import type { Command } from 'commander';
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import { UsageError } from '../errors.js';
import type { ProxyConfig } from '../proxy/config.js';
import { MODE_NAMES } from '../proxy/modes.js';

export interface ProxyFlags {
  mode?: string;
  node?: string;
  clusterCidr?: string;
  family?: string;
  format?: string;
  profile?: string;
}

export function addProxyOptions(cmd: Command): Command {
  return cmd
    .option('--mode <mode>', `proxy mode: ${MODE_NAMES.join('|')}`)
    .option('--node <name>', 'node to render for (default: hostnameOverride, else the only Node)')
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) for local-traffic detection (default: clusterCIDR)')
    .option('--family <family>', 'ipv4|ipv6: which IP family to render', 'ipv4')
    .option('--format <format>', 'text|json', 'text')
    .option('--profile <profile>', 'default|kube-proxy-test', 'default');
}

export function parseFamily(value: string | undefined): IPFamily {
  const v = (value ?? 'ipv4').toLowerCase();
  if (v === 'ipv4' || v === '4') return 'IPv4';
  if (v === 'ipv6' || v === '6') return 'IPv6';
  throw new UsageError(`--family: ${JSON.stringify(value)} must be ipv4 or ipv6`);
}

export function parseFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--format: ${JSON.stringify(value)} must be text or json`);
}

export function parseProfile(value: string | undefined): string {
  const v = value ?? 'default';
  if (v !== 'default' && v !== 'kube-proxy-test')
    throw new UsageError(`--profile: ${JSON.stringify(value)} must be default or kube-proxy-test`);
  return v;
}

export function requireMode(value: string | undefined): string {
  if (!value) throw new UsageError(`--mode is required: one of ${MODE_NAMES.join(', ')}`);
  if (!(MODE_NAMES as readonly string[]).includes(value))
    throw new UsageError(`--mode: ${JSON.stringify(value)} must be one of ${MODE_NAMES.join(', ')}`);
  return value;
}

/** The mode, family, format and profile flags of rules and diff, checked. */
export function parseProxyFlags(flags: ProxyFlags) {
  return {
    mode: requireMode(flags.mode),
    family: parseFamily(flags.family),
    format: parseFormat(flags.format),
    profile: parseProfile(flags.profile),
  };
}

export async function proxyConfigFor(objects: readonly ClusterObject[], flags: ProxyFlags): Promise<ProxyConfig> {
  const { resolveProxyConfig } = await import('../proxy/config.js');
  return resolveProxyConfig(objects, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.clusterCidr ? { clusterCIDR: flags.clusterCidr } : {}),
  });
}
