// Writing the port map file: atomically (a temporary file in the same directory, then rename), so a
// reader never sees half a map; and checking its path before anything listens.
import { constants } from 'node:fs';
import { access, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ProxyRuntimeError } from '../../errors.js';
import { type PortMap, portMapText } from './port-map.js';

export async function writePortMap(file: string, map: PortMap): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, portMapText(map));
  await rename(tmp, file);
}

/** Throws a ProxyRuntimeError (input error) when `file` cannot be written as the port map. */
export async function checkPortMapPath(file: string): Promise<void> {
  const dir = dirname(file);
  const bad = (why: string) => new ProxyRuntimeError(`portMap ${file}: ${why}`, true).about('portMap');
  const d = await stat(dir).catch(() => undefined);
  if (!d) throw bad(`directory ${dir} does not exist`);
  if (!d.isDirectory()) throw bad(`${dir} is not a directory`);
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw bad('is a directory');
  await access(dir, constants.W_OK).catch(() => {
    throw bad(`directory ${dir} is not writable`);
  });
}
