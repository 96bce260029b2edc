// One module for every error kind kubeplane raises. Each carries a stable `code` so callers and the
// CLI can tell failures apart without matching message text.

export type ErrorCode =
  | 'KP_MANIFEST_FIELD'
  | 'KP_MANIFEST_SET'
  | 'KP_MANIFEST_PARSE'
  | 'KP_MANIFEST_READ'
  | 'KP_MANIFEST_LIMIT'
  | 'KP_USAGE'
  | 'KP_NODE'
  | 'KP_PROXY_CONFIG'
  | 'KP_MODE_UNAVAILABLE'
  | 'KP_RULE_PARSE'
  | 'KP_LAB'
  | 'KP_STORE'
  | 'KP_STORE_GONE'
  | 'KP_IPAM'
  | 'KP_DNS'
  | 'KP_BENCH'
  | 'KP_DATAPLANE'
  | 'KP_PROXY'
  | 'KP_CONTROL'
  | 'KP_CONSOLE';

/**
 * Settings a caller passes to library functions (options, not manifest fields) that a CLI flag may
 * feed. The library words an error about one by the setting's name and tags the error with it; only
 * the CLI knows, and says, which of its flags set it.
 */
export type Setting =
  | 'clusterCidr'
  | 'dataDir'
  | 'listenAddress'
  | 'node'
  | 'nodeMask'
  | 'nodeMaskIPv4'
  | 'nodeMaskIPv6'
  | 'nodePortRange'
  | 'nodes'
  | 'portMap'
  | 'scheduler'
  | 'serviceCidr'
  | 'store';

export abstract class KubeplaneError extends Error {
  abstract readonly code: ErrorCode;
  /** Bad input from the user (exit 2) rather than a runtime fault (exit 1). */
  readonly isInputError: boolean = false;
  /** The caller-given setting this error is about, when it is about one. */
  setting?: Setting;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Tag the error with the setting it is about (the message names that setting). */
  about(setting: Setting): this {
    this.setting = setting;
    return this;
  }
}

/** Where in the input a manifest problem sits. `document` is 0-based; messages print it 1-based. */
export interface ManifestLocation {
  file: string;
  document: number;
  kind?: string;
  object?: string;
  field: string;
}

export function formatLocation(at: ManifestLocation): string {
  const what = at.kind || at.object ? ` (${[at.kind, at.object].filter(Boolean).join(' ')})` : '';
  return `${at.file}: document ${at.document + 1}${what}: ${at.field}`;
}

/** One invalid field of one object. */
export class ManifestError extends KubeplaneError {
  readonly code = 'KP_MANIFEST_FIELD' as const;
  override readonly isInputError = true;
  constructor(
    readonly at: ManifestLocation,
    readonly problem: string,
  ) {
    super(`${formatLocation(at)}: ${problem}`);
  }
}

/** A file that could not be parsed at all (YAML/JSON syntax, binary data). */
export class ManifestParseError extends KubeplaneError {
  readonly code = 'KP_MANIFEST_PARSE' as const;
  override readonly isInputError = true;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`, options);
  }
}

/** A file or directory that could not be read. */
export class ManifestReadError extends KubeplaneError {
  readonly code = 'KP_MANIFEST_READ' as const;
  override readonly isInputError = true;
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/** Where an input limit was exceeded: the file, and when known the document and the field. */
export interface LimitLocation {
  file: string;
  /** 0-based; printed 1-based. */
  document?: number;
  kind?: string;
  object?: string;
  field?: string;
}

/**
 * Input beyond a limit kubeplane holds (size, count, depth, alias expansion, list length): refused
 * before the input can cost unbounded time or memory. The limits are listed in the README.
 */
export class ManifestLimitError extends KubeplaneError {
  readonly code = 'KP_MANIFEST_LIMIT' as const;
  override readonly isInputError = true;
  constructor(
    readonly at: LimitLocation,
    readonly problem: string,
  ) {
    const what = at.kind || at.object ? ` (${[at.kind, at.object].filter(Boolean).join(' ')})` : '';
    const doc = at.document !== undefined ? `: document ${at.document + 1}${what}` : '';
    super(`${at.file}${doc}${at.field ? `: ${at.field}` : ''}: ${problem}`);
  }
}

export type ManifestProblem = ManifestError | ManifestParseError | ManifestReadError | ManifestLimitError;

/** How many problems a ManifestSetError's message lists; the rest are counted (all stay in `errors`). */
export const MAX_LISTED_PROBLEMS = 100;

/** Every problem found in one input set; nothing from the set is applied. */
export class ManifestSetError extends KubeplaneError {
  readonly code = 'KP_MANIFEST_SET' as const;
  override readonly isInputError = true;
  constructor(readonly errors: readonly ManifestProblem[]) {
    const listed = errors.slice(0, MAX_LISTED_PROBLEMS).map((e) => e.message);
    if (errors.length > MAX_LISTED_PROBLEMS) listed.push(`... and ${errors.length - MAX_LISTED_PROBLEMS} more`);
    super(listed.join('\n'));
  }
}

/** A command-line flag or argument that is wrong. */
export class UsageError extends KubeplaneError {
  readonly code = 'KP_USAGE' as const;
  override readonly isInputError = true;
}

/** The node to render for cannot be chosen. */
export class NodeSelectionError extends KubeplaneError {
  readonly code = 'KP_NODE' as const;
  override readonly isInputError = true;
}

/** A KubeProxyConfiguration or node setting the proxy cannot use (kube-proxy refuses to start). */
export class ProxyConfigError extends KubeplaneError {
  readonly code = 'KP_PROXY_CONFIG' as const;
  override readonly isInputError = true;
}

/** A proxy mode, or a feature of one, that this build does not provide. */
export class ModeUnavailableError extends KubeplaneError {
  readonly code = 'KP_MODE_UNAVAILABLE' as const;
  override readonly isInputError = true;
}

/** Rule text that a dataplane parser cannot read. Carries the line and its neighbours. */
export class RuleParseError extends KubeplaneError {
  readonly code = 'KP_RULE_PARSE' as const;
  override readonly isInputError = true;
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    readonly context: string,
  ) {
    super(`line ${line}, column ${column}: ${problem}\n${context}`);
  }
}

/** A failed command in the lab (ip, nft, iptables-restore ...), with what to do next. */
export class LabError extends KubeplaneError {
  readonly code = 'KP_LAB' as const;
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly hint: string,
  ) {
    super(`${command} failed${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ${stderr.trim()}\nhint: ${hint}`);
  }
}

/** A store that cannot be reached or answers wrongly. */
export class StoreError extends KubeplaneError {
  readonly code: ErrorCode = 'KP_STORE';
}

/**
 * A watch asked for history the store no longer keeps (the API server's "410 Gone": resourceVersion
 * too old). The watcher must re-list and watch from the new snapshot; an informer does this itself.
 */
export class ResourceVersionGoneError extends StoreError {
  override readonly code = 'KP_STORE_GONE' as const;
  constructor(
    readonly resourceVersion: number,
    readonly oldestKept: number | undefined,
  ) {
    super(
      `resourceVersion ${resourceVersion} is too old to watch from (oldest kept: ${oldestKept ?? 'none'}); re-list and watch from the snapshot`,
    );
  }
}

/** A userspace proxy that cannot start or serve (a listen address in use, a port map it cannot write). */
export class ProxyRuntimeError extends KubeplaneError {
  readonly code = 'KP_PROXY' as const;
  override readonly isInputError: boolean;
  constructor(message: string, isInputError: boolean, options?: ErrorOptions) {
    super(message, options);
    this.isInputError = isInputError;
  }
}

/** Exit status the CLI uses for an error. */
export function exitStatusFor(error: unknown): number {
  return error instanceof KubeplaneError && error.isInputError ? 2 : 1;
}

/** What went wrong in IPAM; the CNI plugin maps each kind to a CNI error code. */
export type IpamErrorKind =
  | 'invalid-config' // a range, CIDR or flag that cannot be used
  | 'out-of-range' // an existing CIDR/IP outside the configured pool
  | 'exhausted' // no free address or node CIDR left
  | 'duplicate' // the attachment already holds an address in this range set
  | 'unavailable' // a requested address is taken, or is the gateway
  | 'not-found' // CHECK: no reservation for the attachment
  | 'lock-timeout' // the data-dir lock was not obtained in time
  | 'io'; // the store could not be read or written

/** An IPAM failure. `details` carries the value or range the message is about. */
export class IpamError extends KubeplaneError {
  readonly code = 'KP_IPAM' as const;
  override readonly isInputError: boolean;
  constructor(
    readonly kind: IpamErrorKind,
    message: string,
    readonly details?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.isInputError = kind === 'invalid-config' || kind === 'out-of-range';
  }
}

/** The DNS area's errors (the server, its upstream, its listeners). */
export class DnsError extends KubeplaneError {
  readonly code = 'KP_DNS' as const;
  override readonly isInputError: boolean;
  constructor(message: string, inputError: boolean, options?: ErrorOptions) {
    super(message, options);
    this.isInputError = inputError;
  }
}

/** A DNS or metrics listener could not be opened. Names no flag: the CLI phrases it with its own. */
export class DnsListenError extends DnsError {
  constructor(
    readonly listener: 'dns' | 'metrics',
    /** host:port as printed ([v6]:port). */
    readonly address: string,
    /** Why, as a predicate: "is already in use (another server?); choose another port". */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${listener} listener ${address} ${reason}`, false, options);
  }
}

/** A benchmark could not run (a tool or worker it drives failed). */
export class BenchError extends KubeplaneError {
  readonly code = 'KP_BENCH' as const;
}

/** What the control plane could not complete: an address or port taken or exhausted, a bad flag value. */
export class ControlError extends KubeplaneError {
  readonly code = 'KP_CONTROL' as const;
  override readonly isInputError = true;
  constructor(
    /** "Kind namespace/name" of the object, or the setting (tag the error with it). */
    readonly object: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${object}: ${field}: ${problem}`);
  }
}

/** Rules that parse but cannot be traced as given (an ipset whose members are unknown ...). */
export class DataplaneError extends KubeplaneError {
  readonly code = 'KP_DATAPLANE' as const;
  override readonly isInputError = true;
}

/** A console API request with a bad parameter: the server answers 400 with this message. */
export class ConsoleRequestError extends KubeplaneError {
  readonly code = 'KP_CONSOLE' as const;
  override readonly isInputError = true;
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`${parameter}: ${problem}`);
  }
}
