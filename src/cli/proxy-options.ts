// Flags shared by the commands that render proxy rules (rules, diff, apply, bench).
import type { Command } from 'commander';
import type { IPFamily } from '../cluster/types.js';
import { UsageError } from '../errors.js';
import type { ProxyConfigFlags } from '../proxy/config.js';
import { PROFILES, type Profile } from '../proxy/mode.js';
import { MODE_NAMES, type ModeName } from './modes.js';

export interface ProxyFlags {
  mode?: string;
  node?: string;
  clusterCidr?: string;
  family?: string;
  format?: string;
  profile?: string;
  scheduler?: string;
}

export function addProxyOptions(cmd: Command, defaults: { format?: string } = {}): Command {
  return cmd
    .option('--mode <mode>', `proxy mode: ${MODE_NAMES.join('|')}`)
    .option('--node <name>', 'node to render for (default: hostnameOverride, else the only Node)')
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) for local-traffic detection (default: clusterCIDR)')
    .option('--family <family>', 'ipv4|ipv6: which IP family to render', 'ipv4')
    .option('--format <format>', 'text|json', defaults.format ?? 'text')
    .option('--profile <profile>', PROFILES.join('|'), 'default')
    .option('--scheduler <name>', 'ipvs: the IPVS scheduler (default: ipvs.scheduler, else rr)');
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

export function parseProfile(value: string | undefined): Profile {
  const v = value ?? 'default';
  if (!(PROFILES as readonly string[]).includes(v))
    throw new UsageError(`--profile: ${JSON.stringify(value)} must be ${PROFILES.join(' or ')}`);
  return v as Profile;
}

export function requireMode(value: string | undefined): ModeName {
  if (!value) throw new UsageError(`--mode is required: one of ${MODE_NAMES.join(', ')}`);
  if (!(MODE_NAMES as readonly string[]).includes(value))
    throw new UsageError(`--mode: ${JSON.stringify(value)} must be one of ${MODE_NAMES.join(', ')}`);
  return value as ModeName;
}

/** The mode and the syncer options of rules, diff and apply, checked. */
export function parseProxyFlags(flags: ProxyFlags, extra: { withJumps?: boolean } = {}) {
  const family = parseFamily(flags.family);
  return {
    mode: requireMode(flags.mode),
    options: {
      family,
      format: parseFormat(flags.format),
      profile: parseProfile(flags.profile),
      ...(extra.withJumps ? { withJumps: true } : {}),
      ...(flags.scheduler !== undefined ? { scheduler: flags.scheduler } : {}),
    },
  };
}

/** The node-selection flags, as the proxy core takes them. */
export function configFlags(flags: ProxyFlags): ProxyConfigFlags {
  return {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.clusterCidr ? { clusterCIDR: flags.clusterCidr } : {}),
  };
}
