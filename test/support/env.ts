// Which real parts this machine has, and whether a missing one skips a suite or fails it.
// KUBEPLANE_REQUIRE_KERNEL=1 / KUBEPLANE_REQUIRE_REDIS=1 / KUBEPLANE_REQUIRE_BROWSER=1 (set by .ci/run)
// turn skips into failures.
import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelUnavailableReason(
  tools: readonly string[] = ['ip', 'nft', 'iptables-restore'],
): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (!isRoot()) return 'not root (network namespaces need CAP_NET_ADMIN)';
  const missing = tools.filter((t) => !has(t));
  if (missing.length > 0) return `missing ${missing.join(', ')} (Debian: nftables iptables iproute2 conntrack)`;
  return undefined;
}

export function redisUnavailableReason(): string | undefined {
  return has('redis-server') ? undefined : 'no redis-server binary (Debian: redis-server)';
}

export function commandUnavailableReason(cmd: string, pkg: string): string | undefined {
  return has(cmd) ? undefined : `no ${cmd} (Debian: ${pkg})`;
}

/**
 * describe() for a suite that needs a real part: skipped with the reason in its title, or — when
 * `requireEnv` is set to 1 — a failing suite that says what is missing.
 */
export function describeWith(
  reason: string | undefined,
  requireEnv: 'KUBEPLANE_REQUIRE_KERNEL' | 'KUBEPLANE_REQUIRE_REDIS' | 'KUBEPLANE_REQUIRE_BROWSER' | undefined,
  title: string,
  body: () => void,
): void {
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  if (requireEnv && process.env[requireEnv] === '1') {
    describe(title, () => {
      it(`is required by ${requireEnv}=1`, () => {
        throw new Error(`${title}: required by ${requireEnv}=1 but unavailable: ${reason}`);
      });
    });
    return;
  }
  describe.skip(`${title} (skipped: ${reason})`, body);
}

export const describeKernel = (title: string, body: () => void, tools?: readonly string[]) =>
  describeWith(kernelUnavailableReason(tools), 'KUBEPLANE_REQUIRE_KERNEL', title, body);

export const describeRedis = (title: string, body: () => void) =>
  describeWith(redisUnavailableReason(), 'KUBEPLANE_REQUIRE_REDIS', title, body);

/** Debian's chromium, which the console's browser tests drive through playwright-core. */
export const CHROMIUM = process.env.KUBEPLANE_CHROMIUM ?? '/usr/bin/chromium';

export function browserUnavailableReason(): string | undefined {
  try {
    execFileSync(CHROMIUM, ['--version'], { stdio: 'ignore', timeout: 20_000 });
    return undefined;
  } catch {
    return `no ${CHROMIUM} (Debian: chromium)`;
  }
}

export const describeBrowser = (title: string, body: () => void) =>
  describeWith(browserUnavailableReason(), 'KUBEPLANE_REQUIRE_BROWSER', title, body);
