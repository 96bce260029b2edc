#!/usr/bin/env node
// kubeplane's CLI entry. Each command registers its flags here and loads its work lazily, so
// `kubeplane --help` and small commands do not pay for modes, DNS or Redis they do not use.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitStatusFor, KubeplaneError, ManifestSetError } from '../errors.js';
import { registerApply } from './apply.js';
import { registerBench } from './bench.js';
import { registerBenchLoad } from './bench-load.js';
import { registerCluster } from './cluster.js';
import { registerDemo } from './demo.js';
import { registerDiff } from './diff.js';
import { registerDns } from './dns.js';
import { registerDrift } from './drift.js';
import { errorText } from './error-text.js';
import { registerExplain } from './explain.js';
import { registerGenerate } from './generate.js';
import { registerIpam } from './ipam.js';
import { registerLab } from './lab.js';
import { registerLabel } from './label.js';
import { registerProxy } from './proxy.js';
import { registerRules } from './rules.js';
import { registerServe } from './serve.js';
import { registerStore } from './store.js';
import { registerTrace } from './trace.js';
import { registerUi } from './ui.js';
import { registerValidate } from './validate.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('kubeplane')
    .description('Kubernetes service data-plane emulator: kube-proxy rules, cluster DNS and CNI IPAM on one machine')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerValidate(program);
  registerCluster(program);
  registerRules(program);
  registerDiff(program);
  registerGenerate(program);
  registerApply(program);
  registerBench(program);
  registerIpam(program);
  registerDns(program);
  registerBenchLoad(program);
  registerTrace(program);
  registerExplain(program);
  registerStore(program);
  registerServe(program);
  registerProxy(program);
  registerLab(program);
  registerDrift(program);
  registerLabel(program);
  registerUi(program);
  return program;
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (and help) for usage errors.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof ManifestSetError) {
    process.stderr.write(`${err.message}\n`);
    process.stderr.write(`error: ${err.errors.length} problem(s) in the input; nothing was applied\n`);
  } else if (err instanceof KubeplaneError) {
    process.stderr.write(`error: ${errorText(err)}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return exitStatusFor(err);
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
