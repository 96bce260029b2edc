// Bounds what YAML aliases can expand to, before any value is built. js-yaml shares the anchored
// value between its aliases, so loading a "billion laughs" file is cheap; it is everything after
// (validation messages, JSON output, a Redis store, DNS reload diffs) that walks the expansion.
// So the expansion is counted here, on the parser's events, the way go-yaml counts its decodes
// since CVE-2019-11253: each alias costs the node count of its anchor's value (aliases inside it
// expanded), and a document whose nodes come too much from aliases is refused. An alias to a
// collection that is still open (its own ancestor) would make a cyclic value: refused too, as
// go-yaml does ("anchor value contains itself").
import { ManifestLimitError } from '../../errors.js';
import {
  ALIAS_MIN_ALIASED,
  ALIAS_MIN_NODES,
  allowedAliasRatio,
  MAX_ALIASES,
  MAX_DOCUMENTS_PER_FILE,
  MAX_STRING_LENGTH,
} from './index.js';

/** The parts of js-yaml's events this check reads (see js-yaml's `Event`). */
export interface YamlEvent {
  type: number;
  anchorStart?: number;
  anchorEnd?: number;
  valueStart?: number;
  valueEnd?: number;
  start?: number;
}

// js-yaml's EVENT_ID values.
const DOCUMENT = 1;
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;

interface Anchor {
  /** Nodes in the anchored value, aliases inside it expanded; known once the value is closed. */
  size: number;
  open: boolean;
}

interface Frame {
  anchor: Anchor | undefined;
  /** Document node count when the collection opened. */
  startNodes: number;
}

export interface AliasStats {
  documents: number;
  aliases: number;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Throws ManifestLimitError for the first document that breaks an alias or size limit. */
export function checkYamlEvents(file: string, text: string, events: readonly YamlEvent[]): AliasStats {
  let document = -1;
  let nodes = 0;
  let aliased = 0;
  let aliases = 0;
  let totalAliases = 0;
  let anchors = new Map<string, Anchor>();
  const frames: Frame[] = [];
  const fail = (offset: number | undefined, problem: string): never => {
    const line = offset !== undefined && offset >= 0 ? ` (line ${lineAt(text, offset)})` : '';
    throw new ManifestLimitError({ file, document }, `${problem}${line}`);
  };
  const anchorName = (e: YamlEvent): string | undefined =>
    e.anchorStart !== undefined && e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined;

  for (let i = 0; i < events.length; i++) {
    const e = events[i] as YamlEvent;
    switch (e.type) {
      case DOCUMENT:
        document++;
        if (document >= MAX_DOCUMENTS_PER_FILE)
          fail(undefined, `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file`);
        nodes = 0;
        aliased = 0;
        aliases = 0;
        anchors = new Map();
        frames.length = 0;
        break;
      case SCALAR: {
        nodes++;
        const length = (e.valueEnd ?? 0) - (e.valueStart ?? 0);
        if (length > MAX_STRING_LENGTH)
          fail(e.valueStart, `a scalar of ${length} characters; at most ${MAX_STRING_LENGTH} are read`);
        const name = anchorName(e);
        if (name !== undefined) anchors.set(name, { size: 1, open: false });
        break;
      }
      case SEQUENCE:
      case MAPPING: {
        nodes++;
        const name = anchorName(e);
        let anchor: Anchor | undefined;
        if (name !== undefined) {
          anchor = { size: 0, open: true };
          anchors.set(name, anchor);
        }
        frames.push({ anchor, startNodes: nodes });
        break;
      }
      case POP: {
        const frame = frames.pop();
        if (frame?.anchor) {
          // The collection node itself plus everything opened or aliased inside it.
          frame.anchor.size = nodes - frame.startNodes + 1;
          frame.anchor.open = false;
        }
        break;
      }
      case ALIAS: {
        aliases++;
        totalAliases++;
        if (aliases > MAX_ALIASES) fail(e.anchorStart, `more than ${MAX_ALIASES} aliases in one document`);
        const name = anchorName(e) ?? '';
        const anchor = anchors.get(name);
        if (!anchor) break; // js-yaml reports the unknown alias with its position
        if (anchor.open) fail(e.anchorStart, `alias *${name.slice(0, 60)} refers to a value that contains it`);
        nodes += anchor.size;
        aliased += anchor.size;
        if (aliased > ALIAS_MIN_ALIASED && nodes > ALIAS_MIN_NODES && aliased / nodes > allowedAliasRatio(nodes))
          fail(
            e.anchorStart,
            `excessive aliasing: aliases expand to ${aliased} of the document's ${nodes} nodes (at most ${Math.round(allowedAliasRatio(nodes) * 100)}% may come from aliases)`,
          );
        break;
      }
    }
  }
  return { documents: document + 1, aliases: totalAliases };
}
