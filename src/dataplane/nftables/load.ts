import { ModeUnavailableError } from '../../errors.js';
import type { Dataplane } from '../dataplane.js';
import type { LoadOptions } from '../load.js';

export function nftablesDataplane(_text: string, _options: LoadOptions): Dataplane {
  throw new ModeUnavailableError('nftables tracing is not built yet');
}
