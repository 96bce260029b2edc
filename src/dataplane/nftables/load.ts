// nftables rule text (either text form, or JSON) into a Dataplane.
import type { Dataplane } from '../dataplane.js';
import type { LoadOptions } from '../load.js';
import { NftablesDataplane } from './evaluate.js';
import { parseNftJson } from './parse-json.js';
import { parseNftText } from './parse-text.js';

export function nftablesDataplane(text: string, options: LoadOptions): Dataplane {
  const json = text.trimStart().startsWith('{');
  return new NftablesDataplane(json ? parseNftJson(text) : parseNftText(text), options);
}
