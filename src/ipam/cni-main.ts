#!/usr/bin/env node
// kubeplane-ipam: the CNI IPAM plugin executable. Kept to the plugin's own small import graph (no
// commander, yaml or cluster loader) so a CNI call costs little more than Node's own start-up. Stdin
// and stdout are used through file descriptors, synchronously: creating Node's stream objects for
// them costs several milliseconds per call.
import { fstatSync, readSync, writeSync } from 'node:fs';
import { runCni } from './cni.js';
import { MAX_STDIN_BYTES, stdinTooLarge } from './cni-limits.js';

/** Stdin up to MAX_STDIN_BYTES; one byte more stops the read (a hostile caller cannot fill memory). */
async function readStdin(): Promise<string> {
  // Not process.stdin.isTTY: touching process.stdin builds the stream this avoids.
  if (fstatSync(0).isCharacterDevice()) return '';
  const chunks: Buffer[] = [];
  let total = 0;
  const keep = (c: Buffer) => {
    total += c.length;
    if (total > MAX_STDIN_BYTES) throw stdinTooLarge(`over ${MAX_STDIN_BYTES}`);
    chunks.push(c);
  };
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let n = readSync(0, buf); n > 0; n = readSync(0, buf)) keep(Buffer.from(buf.subarray(0, n)));
  } catch (err) {
    // A non-blocking stdin (EAGAIN) cannot be read synchronously: go on with the stream.
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    for await (const c of process.stdin) keep(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

const outcome = await runCni(process.env, readStdin);
if (outcome.stderr) writeAll(2, outcome.stderr);
if (outcome.stdout) writeAll(1, outcome.stdout);
process.exitCode = outcome.exitCode;
