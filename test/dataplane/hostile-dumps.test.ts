// Hostile rule dumps (issue 18, as `trace --rules` reads them): chains that loop by jump or goto,
// jumps nested past the kernel's stack, JSON of the wrong shape and JSON nested without end. Each is
// refused with a typed error (KP_DATAPLANE when walking, KP_RULE_PARSE when loading), never a hang,
// a stack overflow or a TypeError. The first four files came from the dump fuzzer (test/fuzz/dumps).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { randomChooser } from '../../src/dataplane/dataplane.js';
import { type DataplaneMode, loadDataplane } from '../../src/dataplane/load.js';
import type { Packet } from '../../src/dataplane/packet.js';
import { seededRandom } from '../../src/dataplane/random.js';
import { NFT_JUMP_STACK_SIZE } from '../../src/dataplane/walk-bounds.js';
import { fixture } from '../support/cli.js';

const packet: Packet = { proto: 'tcp', src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 80, hook: 'prerouting' };

async function traceText(mode: DataplaneMode, text: string) {
  const plane = await loadDataplane(mode, text, { localAddresses: [] });
  return plane.trace(packet, randomChooser(seededRandom(1)));
}

const dump = (name: string) => readFileSync(fixture('hostile', 'dumps', name), 'utf8');

/** An nft base chain and `depth` chains, each jumping to the next. */
function nftChainOfJumps(depth: number): string {
  const chains = Array.from({ length: depth }, (_, i) =>
    i + 1 < depth ? `\tchain c${i} {\n\t\tjump c${i + 1}\n\t}` : `\tchain c${i} {\n\t\tdrop\n\t}`,
  );
  return `table ip t {\n\tchain base {\n\t\ttype nat hook prerouting priority -100; policy accept;\n\t\tjump c0\n\t}\n${chains.join('\n')}\n}\n`;
}

describe('hostile rule dumps', () => {
  test.each([
    {
      file: 'loop.iptables',
      mode: 'iptables' as const,
      want: /the chains loop \(iptables-restore refuses that: ELOOP\)/,
    },
    { file: 'goto-loop.iptables', mode: 'iptables' as const, want: /more than 200000 rules for one packet/ },
    { file: 'loop.nft', mode: 'nftables' as const, want: /nests deeper than the kernel's 16 jumps/ },
    { file: 'goto-loop.nft', mode: 'nftables' as const, want: /more than 200000 rules for one packet/ },
  ])('$file: the walk stops with KP_DATAPLANE', async ({ file, mode, want }) => {
    const err = await traceText(mode, dump(file)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KP_DATAPLANE', isInputError: true });
    expect((err as Error).message).toMatch(want);
  });

  test.each([
    { file: 'null-object.nft.json', want: /nftables\[1\]: "chain" must be an object, got null/ },
    { file: 'jump-not-object.nft.json', want: /nftables\[2\]: jump needs a target chain name/ },
  ])('$file is refused with KP_RULE_PARSE naming the entry', async ({ file, want }) => {
    const err = await traceText('nftables', dump(file)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KP_RULE_PARSE' });
    expect((err as Error).message).toMatch(want);
  });

  test('a rule expr that is not a list is refused', async () => {
    const text = dump('jump-not-object.nft.json').replace('[{"jump": null}]', '[{"accept": null}]');
    await expect(traceText('nftables', text)).rejects.toThrow(
      /nftables\[3\]: expr must be an array, got \{"concat":1\}/,
    );
  });

  test('JSON nested 100,000 deep is refused before it is walked', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = `{"nftables": [{"add": {"table": {"family": "ip", "name": "t", "x": ${deep}}}}]}`;
    await expect(traceText('nftables', text)).rejects.toThrow(/nested deeper than 64 levels/);
  });

  test(`${NFT_JUMP_STACK_SIZE} nested jumps trace; one more is refused as nft would`, async () => {
    expect((await traceText('nftables', nftChainOfJumps(NFT_JUMP_STACK_SIZE))).verdict).toBe('DROP');
    await expect(traceText('nftables', nftChainOfJumps(NFT_JUMP_STACK_SIZE + 1))).rejects.toThrow(/EMLINK/);
  });
});
