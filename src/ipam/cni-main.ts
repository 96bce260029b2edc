#!/usr/bin/env node
// kubeplane-ipam: the CNI IPAM plugin executable. Kept to the plugin's own small import graph (no
// commander, yaml or cluster loader) so a CNI call costs little more than Node's own start-up. Stdin
// and stdout are used through file descriptors, synchronously: creating Node's stream objects for
// them costs several milliseconds per call.
import { fstatSync, readFileSync, writeSync } from 'node:fs';
import { runCni } from './cni.js';

async function readStdin(): Promise<string> {
  // Not process.stdin.isTTY: touching process.stdin builds the stream this avoids.
  if (fstatSync(0).isCharacterDevice()) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    // A non-blocking stdin (EAGAIN) cannot be read synchronously: fall back to the stream.
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
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
