// Turns the text of one manifest file into documents, each with the 0-based position it had in the
// file (after List expansion: items of a List share the List's document number and get an item
// path). JSON (one value, or several concatenated) is parsed with JSON.parse for speed; anything
// else goes through the YAML parser, which also reads JSON documents separated by `---`.
import { ManifestLimitError, ManifestParseError } from '../errors.js';
import { MAX_DEPTH, MAX_DOCUMENTS_PER_FILE } from './limits/index.js';
import { checkJsonShape } from './limits/shape.js';
import { checkYamlEvents, type YamlEvent } from './limits/yaml-aliases.js';

export interface RawDocument {
  file: string;
  /** 0-based document number within the file. */
  document: number;
  /** For an item of a List: its field path inside the document (`items[3]`). */
  itemPath?: string;
  value: unknown;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Reject data that is not text: a NUL byte or invalid UTF-8. */
export function assertText(file: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const line = lineOfOffset(bytes.subarray(0, nul).toString('latin1'), nul);
    throw new ManifestParseError(file, line, 'binary data (NUL byte), not a YAML or JSON manifest');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the line of the first bad byte to point the user at it.
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\uFFFD');
    throw new ManifestParseError(
      file,
      bad >= 0 ? lineOfOffset(text, bad) : undefined,
      'not valid UTF-8 text; a manifest must be YAML or JSON',
    );
  }
}

/** Split concatenated JSON values (`{...}{...}` or one per line) at top-level boundaries. */
function splitJsonStream(text: string): { start: number; end: number }[] | undefined {
  const out: { start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) out.push({ start, end: i + 1 });
    } else if (depth === 0 && c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') return undefined;
  }
  return depth === 0 ? out : undefined;
}

function jsonErrorLine(text: string, err: unknown): number | undefined {
  const m = /position (\d+)/.exec(String((err as Error)?.message));
  return m ? lineOfOffset(text, Number(m[1])) : undefined;
}

async function parseYamlDocuments(file: string, text: string): Promise<unknown[]> {
  // js-yaml: about 20x faster than the `yaml` package on large kubectl dumps. The core schema keeps
  // timestamps as strings, as the API does.
  const { loadAll, parseEvents, constructFromEvents, CORE_SCHEMA } = await import('js-yaml');
  try {
    // An alias needs a `*`: without one the text cannot expand, and loads with no extra pass.
    if (!text.includes('*')) return loadAll(text, null, { filename: file, schema: CORE_SCHEMA, maxDepth: MAX_DEPTH });
    const events = parseEvents(text, { filename: file, maxDepth: MAX_DEPTH });
    checkYamlEvents(file, text, events as readonly YamlEvent[]);
    return constructFromEvents(events, { source: text, filename: file, schema: CORE_SCHEMA });
  } catch (err) {
    const e = err as { name?: string; reason?: string; mark?: { line: number }; message?: string };
    if (e.name !== 'YAMLException') throw err;
    throw new ManifestParseError(file, e.mark ? e.mark.line + 1 : undefined, `YAML: ${e.reason ?? e.message}`);
  }
}

function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    return c === 123 || c === 91; // { or [
  }
  return false;
}

/** Parse one file's text into its top-level documents (null documents are dropped). */
export async function parseDocuments(file: string, text: string): Promise<RawDocument[]> {
  let values: unknown[];
  if (looksLikeJson(text)) {
    try {
      values = [JSON.parse(text)];
    } catch (err) {
      const parts = splitJsonStream(text);
      if (!parts || parts.length < 2) {
        const line = jsonErrorLine(text, err);
        if (line !== undefined) throw new ManifestParseError(file, line, `JSON: ${(err as Error).message}`);
        // Older V8 messages carry no position. JSON is YAML, and kubectl reads manifests with a YAML
        // parser too: let it either accept the text or say where it breaks.
        return toRawDocuments(file, await parseYamlDocuments(file, text));
      }
      if (parts.length > MAX_DOCUMENTS_PER_FILE)
        throw new ManifestLimitError({ file }, `more than ${MAX_DOCUMENTS_PER_FILE} JSON documents in one file`);
      values = [];
      for (const p of parts) {
        const chunk = text.slice(p.start, p.end);
        try {
          values.push(JSON.parse(chunk));
        } catch (e) {
          const inner = jsonErrorLine(chunk, e);
          const base = lineOfOffset(text, p.start);
          throw new ManifestParseError(
            file,
            inner === undefined ? base : base + inner - 1,
            `JSON: ${(e as Error).message}`,
          );
        }
      }
    }
    values.forEach((v, document) => checkJsonShape(file, document, v));
  } else {
    values = await parseYamlDocuments(file, text);
  }
  if (values.length > MAX_DOCUMENTS_PER_FILE)
    throw new ManifestLimitError({ file }, `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file`);
  return toRawDocuments(file, values);
}

function toRawDocuments(file: string, values: unknown[]): RawDocument[] {
  const docs: RawDocument[] = [];
  values.forEach((value, document) => {
    if (value === null || value === undefined) return;
    docs.push({ file, document, value });
  });
  return docs;
}

/** Expand `kind: List` and `*List` documents into their items. */
export function expandLists(docs: readonly RawDocument[]): RawDocument[] {
  const out: RawDocument[] = [];
  for (const d of docs) {
    const v = d.value as { kind?: unknown; items?: unknown } | null;
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof v.kind === 'string' &&
      v.kind.endsWith('List') &&
      Array.isArray(v.items)
    ) {
      v.items.forEach((item, i) => {
        out.push({ file: d.file, document: d.document, itemPath: `items[${i}]`, value: item });
      });
    } else if (Array.isArray(v)) {
      // A bare JSON array of objects: treat like a List.
      v.forEach((item, i) => {
        out.push({ file: d.file, document: d.document, itemPath: `[${i}]`, value: item });
      });
    } else {
      out.push(d);
    }
  }
  return out;
}
