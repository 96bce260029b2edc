import { describe, expect, test } from 'vitest';
import { asciiBytes, ByteWriter } from '../../../src/proxy/iptables/byte-writer.js';

// The writer must give back exactly the text a string join would: every write path (short and
// long strings, cached bytes, other writers, prepended heads), across growth, and for text that is
// not ASCII (read back as UTF-8 then).
type Op = { kind: 'ascii' | 'bytes' | 'writer' | 'prepend'; text: string };

function join(ops: readonly Op[]): string {
  let out = '';
  for (const op of ops) out = op.kind === 'prepend' ? op.text + out : out + op.text;
  return out;
}

function write(ops: readonly Op[], capacity: number, front: number): string {
  const w = new ByteWriter(capacity).reset(front);
  for (const op of ops) {
    if (op.kind === 'ascii') w.ascii(op.text);
    else if (op.kind === 'bytes') w.bytes(asciiBytes(op.text));
    else {
      const other = new ByteWriter(1);
      other.ascii(op.text);
      if (op.kind === 'writer') w.writer(other);
      else w.prepend(other);
    }
  }
  return w.text();
}

const long = '-A KUBE-SVC-DGQJ5VV4NQG5KIUX -m statistic --mode random --probability 0.1000000000';

describe('ByteWriter', () => {
  test.each([
    {
      name: 'short strings',
      ops: [
        { kind: 'ascii', text: '-A ' },
        { kind: 'ascii', text: 'KUBE-SEP-X\n' },
      ],
    },
    {
      name: 'long strings',
      ops: [
        { kind: 'ascii', text: long },
        { kind: 'ascii', text: `${long}\n` },
      ],
    },
    {
      name: 'cached bytes, short and long',
      ops: [
        { kind: 'bytes', text: ' -j ' },
        { kind: 'bytes', text: long },
      ],
    },
    {
      name: 'another writer',
      ops: [
        { kind: 'ascii', text: 'a' },
        { kind: 'writer', text: long },
      ],
    },
    {
      name: 'prepended heads',
      ops: [
        { kind: 'ascii', text: 'rules\n' },
        { kind: 'prepend', text: `*nat\n${long}\n` },
      ],
    },
    {
      name: 'non-ASCII, short',
      ops: [
        { kind: 'ascii', text: 'ns/caf\u00e9' },
        { kind: 'ascii', text: ' x' },
      ],
    },
    {
      name: 'non-ASCII, long',
      ops: [
        { kind: 'ascii', text: `${long} \u65e5\u672c` },
        { kind: 'ascii', text: '!' },
      ],
    },
    { name: 'a leading byte-order mark', ops: [{ kind: 'ascii', text: '\ufeffx' }] },
    {
      name: 'non-ASCII from another writer',
      ops: [
        { kind: 'ascii', text: 'a' },
        { kind: 'writer', text: '\u00fc' },
      ],
    },
  ] as { name: string; ops: Op[] }[])('$name', ({ ops }) => {
    const want = join(ops);
    for (const [capacity, front] of [
      [4096, 0],
      [1, 0],
      [1, 3],
      [4096, 4000],
    ] as const) {
      expect(write(ops, capacity, front)).toBe(want);
    }
  });

  test('reset keeps nothing of the text before', () => {
    const w = new ByteWriter(1);
    w.ascii(`\u00e9${long}`);
    w.reset(10);
    w.ascii('plain');
    expect(w.text()).toBe('plain');
    expect(w.length).toBe(5);
  });
});
