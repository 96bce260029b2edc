// The checks libcni's skel makes before a plugin runs, in its order and with its error codes:
// required CNI_* variables (4), container ID and ifname syntax (4), stdin JSON (6), network name (7),
// cniVersion decode (6) and support (1), command-specific version floors (1).
import { CNI_CODES, CniError } from './cni-errors.js';
import { checkConfigDepth, shown } from './cni-limits.js';

export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const CURRENT_VERSION = '1.1.0';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Variables each command needs. CNI_PATH is left out: the spec requires it for GC only and this plugin
 * calls no other plugin, so a missing CNI_PATH is accepted everywhere (skel would reject it).
 */
const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  GC: [],
  STATUS: [],
  VERSION: [],
};

export interface Invocation {
  readonly command: CniCommand;
  readonly containerId: string;
  readonly ifname: string;
  readonly cniArgs: string;
  readonly cniVersion: string;
  readonly network: string;
  readonly config: Record<string, unknown>;
}

type Env = Readonly<Record<string, string | undefined>>;

function checkIfname(name: string): void {
  if (name.length > 15)
    throw new CniError(
      CNI_CODES.invalidEnv,
      'interface name is too long',
      'interface name should be less than 16 characters',
    );
  if (name === '.' || name === '..') throw new CniError(CNI_CODES.invalidEnv, 'interface name is . or ..');
  if (/[/:\s]/.test(name))
    throw new CniError(CNI_CODES.invalidEnv, 'interface name contains / or : or whitespace characters', shown(name));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export function versionAtLeast(v: string, floor: string): boolean {
  return compareVersions(v, floor) >= 0;
}

/** Validate env + stdin. `command` undefined = no CNI_COMMAND (caller prints the about text). */
export function parseInvocation(env: Env, stdin: string): Invocation {
  const raw = env.CNI_COMMAND ?? '';
  const known = (Object.keys(REQUIRED) as CniCommand[]).includes(raw as CniCommand);
  const command = raw as CniCommand;
  if (known) {
    const missing = REQUIRED[command].filter((k) => !env[k]);
    if (missing.length > 0)
      throw new CniError(CNI_CODES.invalidEnv, `required env variables [${missing.join(',')}] missing`);
  }
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifname = env.CNI_IFNAME ?? '';
  if (known && REQUIRED[command].includes('CNI_CONTAINERID') && !ID_RE.test(containerId))
    throw new CniError(CNI_CODES.invalidEnv, 'invalid characters in containerID', shown(containerId));
  if (known && REQUIRED[command].includes('CNI_IFNAME')) checkIfname(ifname);

  let config: unknown;
  try {
    config = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CNI_CODES.decode, `error unmarshall network config: ${(err as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new CniError(CNI_CODES.decode, 'error unmarshall network config: the network config must be a JSON object');
  checkConfigDepth(config);
  const obj = config as Record<string, unknown>;
  const name = obj.name;
  if (name === undefined || name === '') throw new CniError(CNI_CODES.invalidConfig, 'missing network name');
  if (typeof name !== 'string')
    throw new CniError(CNI_CODES.decode, 'error unmarshall network config: name must be a string');
  if (!ID_RE.test(name))
    throw new CniError(CNI_CODES.invalidConfig, 'invalid characters found in network name', shown(name));
  const v = obj.cniVersion;
  if (v !== undefined && typeof v !== 'string')
    throw new CniError(CNI_CODES.decode, 'decoding version from network config: cniVersion must be a string');
  const cniVersion = v === undefined || v === '' ? '0.1.0' : v;
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion))
    throw new CniError(
      CNI_CODES.incompatibleVersion,
      'incompatible CNI versions',
      `config is ${JSON.stringify(shown(cniVersion))}, plugin supports [${SUPPORTED_VERSIONS.map((s) => JSON.stringify(s)).join(' ')}]`,
    );
  if (!known) throw new CniError(CNI_CODES.invalidEnv, `unknown CNI_COMMAND: ${shown(raw)}`);
  if (command === 'CHECK' && !versionAtLeast(cniVersion, '0.4.0'))
    throw new CniError(CNI_CODES.incompatibleVersion, 'config version does not allow CHECK');
  if ((command === 'GC' || command === 'STATUS') && !versionAtLeast(cniVersion, '1.1.0'))
    throw new CniError(CNI_CODES.incompatibleVersion, `config version does not allow ${command}`);
  return { command, containerId, ifname, cniArgs: env.CNI_ARGS ?? '', cniVersion, network: name, config: obj };
}

/** CNI_ARGS `K=V;K2=V2`, the keys this plugin knows being IP and IgnoreUnknown (libcni's LoadArgs texts). */
export function parseCniArgs(args: string): { ip?: string } {
  if (args === '') return {};
  const unknown: string[] = [];
  let ip: string | undefined;
  let ignoreUnknown = false;
  for (const pair of args.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw new CniError(CNI_CODES.invalidEnv, `ARGS: invalid pair ${JSON.stringify(shown(pair))}`);
    const [k, val] = kv as [string, string];
    if (k === 'IP') ip = val;
    else if (k === 'IgnoreUnknown') {
      const l = val.toLowerCase();
      if (l !== '1' && l !== 'true' && l !== '0' && l !== 'false')
        throw new CniError(
          CNI_CODES.invalidEnv,
          `ARGS: error parsing value of pair ${JSON.stringify(shown(pair))}: boolean unmarshal error: invalid input ${shown(val)}`,
        );
      ignoreUnknown = l === '1' || l === 'true';
    } else unknown.push(pair);
  }
  if (unknown.length > 0 && !ignoreUnknown)
    throw new CniError(
      CNI_CODES.invalidEnv,
      shown(`ARGS: unknown args [${unknown.map((u) => JSON.stringify(u)).join(' ')}]`),
    );
  return ip === undefined ? {} : { ip };
}
