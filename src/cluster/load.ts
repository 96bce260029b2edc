// Loads manifests from files, directories (recursively: .yaml .yml .json) and stdin ("-"), validates
// every object, and returns them only when the whole set is valid: nothing is half-applied.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError, ManifestParseError, ManifestReadError, ManifestSetError } from '../errors.js';
import { assertText, expandLists, parseDocuments, type RawDocument } from './documents.js';
import { mirrorEndpoints } from './endpoints-mirror.js';
import { embeddedKubeProxyConfig, isKubeProxyConfigMap } from './kube-proxy-configmap.js';
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
  workloads: Workload[];
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

async function listFiles(path: string): Promise<string[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ManifestReadError(path, 'no such file or directory', { cause: err });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

export interface LoadOptions {
  /** Where "-" reads from (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** Parse and validate already-read texts (file name -> content). */
export async function loadTexts(texts: readonly { file: string; bytes: Buffer | string }[]): Promise<LoadedManifests> {
  const problems: (ManifestError | ManifestParseError | ManifestReadError)[] = [];
  const warnings: ManifestWarning[] = [];
  const objects: ClusterObject[] = [];
  const workloads: Workload[] = [];
  const legacy: { ep: Endpoints; doc: RawDocument }[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Map<string, RawDocument>();
  for (const { file, bytes } of texts) {
    let docs: RawDocument[];
    try {
      const text = typeof bytes === 'string' ? bytes : assertText(file, bytes);
      docs = expandLists(await parseDocuments(file, text));
    } catch (err) {
      if (err instanceof ManifestParseError) {
        problems.push(err);
        continue;
      }
      throw err;
    }
    for (const doc of docs) {
      if (isKubeProxyConfigMap(doc.value)) {
        try {
          docs.push(...(await embeddedKubeProxyConfig(doc)));
        } catch (err) {
          if (!(err instanceof ManifestParseError)) throw err;
          problems.push(err);
        }
      }
      const verdict = validateDocument(doc);
      warnings.push(...verdict.ctx.warnings);
      if (verdict.kind === 'invalid') {
        problems.push(...verdict.ctx.errors);
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
    objects.push(...slices);
  }
  const counts: Record<string, number> = {};
  for (const o of [...objects, ...workloads]) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return { objects, counts, skipped, mirroredEndpoints, warnings, files: texts.map((t) => t.file), workloads };
}

/** Load every manifest named by `paths` ("-" is stdin). Throws ManifestSetError listing every problem. */
export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedManifests> {
  const texts: { file: string; bytes: Buffer }[] = [];
  const readProblems: ManifestReadError[] = [];
  for (const p of paths) {
    if (p === '-') {
      texts.push({ file: '<stdin>', bytes: await readAll(options.stdin ?? process.stdin) });
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
        texts.push({ file: f, bytes: await readFile(f) });
      } catch (err) {
        readProblems.push(new ManifestReadError(f, (err as NodeJS.ErrnoException).code ?? String(err), { cause: err }));
      }
    }
  }
  if (readProblems.length > 0) throw new ManifestSetError(readProblems);
  return loadTexts(texts);
}
