#!/usr/bin/env node
// kubeplane-ipam: the CNI IPAM plugin executable. Kept to the plugin's own small import graph (no
// commander, yaml or cluster loader) so a CNI call costs little more than Node's own start-up.
import { runCni } from './cni.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const outcome = await runCni(process.env, readStdin);
if (outcome.stderr) process.stderr.write(outcome.stderr);
if (outcome.stdout) process.stdout.write(outcome.stdout);
process.exitCode = outcome.exitCode;
