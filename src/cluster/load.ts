// Loads manifests from files, directories (recursively: .yaml .yml .json) and stdin ("-"), validates
// every object, and returns them only when the whole set is valid: nothing is half-applied.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ManifestError,
  ManifestLimitError,
  ManifestParseError,
  type ManifestProblem,
  ManifestReadError,
  ManifestSetError,
} from '../errors.js';
import { assertText, expandLists, parseDocuments, type RawDocument } from './documents.js';
import { mirrorEndpoints } from './endpoints-mirror.js';
import { embeddedKubeProxyConfig, isKubeProxyConfigMap } from './kube-proxy-configmap.js';
import { MAX_FILE_BYTES, MAX_OBJECTS, MAX_TOTAL_BYTES } from './limits/index.js';
import type { ClusterObject, EndpointSlice, Endpoints, Workload } from './types.js';
import { objectKey, SERVICE_NAME_LABEL, WORKLOAD_KINDS } from './types.js';
import { type ManifestWarning, validateDocument } from './validate/index.js';

export interface LoadedManifests {
  objects: ClusterObject[];
  /** Objects per kind, after Endpoints mirroring. */
  counts: Record<string, number>;
  /** Kinds kubeplane does not use, with how many documents were skipped. */
  skipped: Record<string, number>;
  /** Legacy Endpoints converted into EndpointSlices. */
  mirroredEndpoints: number;
  warnings: ManifestWarning[];
  files: string[];
  /** Workloads (Deployments, StatefulSets, ...): control/ turns them into Pods. */
  workloads?: Workload[];
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** Manifest files under `path`, depth first in name order; a directory reached twice (a link loop) is read once. */
async function listFiles(path: string): Promise<string[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ManifestReadError(path, 'no such file or directory', { cause: err });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const seen = new Set<string>([`${st.dev}:${st.ino}`]);
  // An explicit stack: directory depth must not become call depth.
  const pending: string[] = [path];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() || e.isSymbolicLink()) {
        const sub = await stat(p).catch(() => undefined);
        if (sub?.isDirectory()) {
          const id = `${sub.dev}:${sub.ino}`;
          if (!seen.has(id)) {
            seen.add(id);
            subdirs.push(p);
          }
          continue;
        }
        if (!sub) continue;
      }
      if (MANIFEST_EXT.test(e.name)) out.push(p);
    }
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i] as string);
  }
  return out;
}

/** Read a stream, refusing more than MAX_FILE_BYTES (stdin may be endless). */
async function readAll(stream: NodeJS.ReadableStream, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > MAX_FILE_BYTES) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new ManifestLimitError({ file }, `more than ${MAX_FILE_BYTES} bytes; at most ${MAX_FILE_BYTES} are read`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export interface LoadOptions {
  /** Where "-" reads from (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** Parse and validate already-read texts (file name -> content). */
export async function loadTexts(texts: readonly { file: string; bytes: Buffer | string }[]): Promise<LoadedManifests> {
  const problems: ManifestProblem[] = [];
  let objectCount = 0;
  const warnings: ManifestWarning[] = [];
  const objects: ClusterObject[] = [];
  const workloads: Workload[] = [];
  const legacy: { ep: Endpoints; doc: RawDocument }[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Map<string, RawDocument>();
  for (const { file, bytes } of texts) {
    let docs: RawDocument[];
    try {
      if (bytes.length > MAX_FILE_BYTES)
        throw new ManifestLimitError({ file }, `${bytes.length} bytes; at most ${MAX_FILE_BYTES} are read`);
      const text = typeof bytes === 'string' ? bytes : assertText(file, bytes);
      docs = expandLists(await parseDocuments(file, text));
      objectCount += docs.length;
      if (objectCount > MAX_OBJECTS)
        throw new ManifestLimitError({ file }, `more than ${MAX_OBJECTS} objects in the input set`);
    } catch (err) {
      if (err instanceof ManifestParseError || err instanceof ManifestLimitError) {
        problems.push(err);
        continue;
      }
      throw err;
    }
    for (const doc of docs) {
      if (isKubeProxyConfigMap(doc.value)) {
        try {
          for (const embedded of await embeddedKubeProxyConfig(doc)) docs.push(embedded);
        } catch (err) {
          if (!(err instanceof ManifestParseError || err instanceof ManifestLimitError)) throw err;
          problems.push(err);
        }
      }
      const verdict = validateDocument(doc);
      // Loops, not push(...list): a spread's arguments live on the stack, and these lists follow the input.
      for (const w of verdict.ctx.warnings) warnings.push(w);
      if (verdict.kind === 'invalid') {
        for (const e of verdict.ctx.errors) problems.push(e);
        continue;
      }
      if (verdict.kind === 'skipped') {
        skipped[verdict.skippedKind] = (skipped[verdict.skippedKind] ?? 0) + 1;
        continue;
      }
      const obj = verdict.object;
      const id = `${obj.kind} ${objectKey(obj)}`;
      const first = seen.get(id);
      if (first) {
        problems.push(
          new ManifestError(
            {
              file: doc.file,
              document: doc.document,
              kind: obj.kind,
              object: objectKey(obj),
              field: doc.itemPath ? `${doc.itemPath}.metadata.name` : 'metadata.name',
            },
            `duplicate object: already defined in ${first.file} document ${first.document + 1}`,
          ),
        );
        continue;
      }
      seen.set(id, doc);
      if (obj.kind === 'Endpoints') legacy.push({ ep: obj, doc });
      else if ((WORKLOAD_KINDS as readonly string[]).includes(obj.kind)) workloads.push(obj as Workload);
      else objects.push(obj as ClusterObject);
    }
  }
  if (problems.length > 0) throw new ManifestSetError(problems);

  // Mirror legacy Endpoints as the mirroring controller does: only for a Service that exists and has
  // no selector (a selector's endpoints come from the EndpointSlice controller), and never over
  // EndpointSlices the input already has for it.
  const sliced = new Set<string>();
  const selectorless = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'EndpointSlice') {
      const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) sliced.add(`${o.metadata.namespace}/${svc}`);
    } else if (o.kind === 'Service' && (o.spec.selector === undefined || o.spec.selector === null)) {
      selectorless.add(objectKey(o));
    }
  }
  let mirroredEndpoints = 0;
  const services = new Set(objects.filter((o) => o.kind === 'Service').map(objectKey));
  for (const { ep, doc } of legacy) {
    if (services.has(objectKey(ep)) && !selectorless.has(objectKey(ep))) {
      warnings.push({
        at: { file: doc.file, document: doc.document, kind: 'Endpoints', object: objectKey(ep), field: 'subsets' },
        message: `ignored: Service ${objectKey(ep)} has a selector, so its endpoints come from the EndpointSlice controller (the mirroring controller skips it)`,
      });
      continue;
    }
    if (sliced.has(objectKey(ep)) || !selectorless.has(objectKey(ep))) continue;
    const slices: EndpointSlice[] = mirrorEndpoints(ep);
    if (slices.length > 0) mirroredEndpoints++;
    for (const slice of slices) objects.push(slice);
  }
  const counts: Record<string, number> = {};
  for (const o of [...objects, ...workloads]) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return { objects, counts, skipped, mirroredEndpoints, warnings, files: texts.map((t) => t.file), workloads };
}

/** Load every manifest named by `paths` ("-" is stdin). Throws ManifestSetError listing every problem. */
export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedManifests> {
  const texts: { file: string; bytes: Buffer }[] = [];
  const readProblems: ManifestProblem[] = [];
  let total = 0;
  const add = (file: string, bytes: Buffer) => {
    total += bytes.length;
    if (total > MAX_TOTAL_BYTES)
      throw new ManifestSetError([
        new ManifestLimitError({ file }, `the inputs pass ${MAX_TOTAL_BYTES} bytes together; at most that is read`),
      ]);
    texts.push({ file, bytes });
  };
  for (const p of paths) {
    if (p === '-') {
      try {
        add('<stdin>', await readAll(options.stdin ?? process.stdin, '<stdin>'));
      } catch (err) {
        if (!(err instanceof ManifestLimitError)) throw err;
        readProblems.push(err);
      }
      continue;
    }
    let files: string[];
    try {
      files = await listFiles(p);
    } catch (err) {
      if (err instanceof ManifestReadError) {
        readProblems.push(err);
        continue;
      }
      throw err;
    }
    for (const f of files) {
      try {
        const st = await stat(f);
        if (st.size > MAX_FILE_BYTES) {
          readProblems.push(
            new ManifestLimitError({ file: f }, `${st.size} bytes; at most ${MAX_FILE_BYTES} are read`),
          );
          continue;
        }
        add(f, await readFile(f));
      } catch (err) {
        if (err instanceof ManifestSetError) throw err;
        readProblems.push(new ManifestReadError(f, (err as NodeJS.ErrnoException).code ?? String(err), { cause: err }));
      }
    }
  }
  if (readProblems.length > 0) throw new ManifestSetError(readProblems);
  return loadTexts(texts);
}
