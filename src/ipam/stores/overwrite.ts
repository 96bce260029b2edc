// Overwriting a small file in place, shared by the cursor files and the index stamp.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/**
 * Write at 0, then cut to length. Not open(O_TRUNC): on ext4 a truncate-to-zero makes close() wait for
 * the data to reach the disk (auto_da_alloc), which cost ~2.5 ms per call here. A crash between write
 * and cut leaves stale trailing bytes; every reader of these files tolerates that (an unparsable cursor
 * restarts round-robin at rangeStart, as host-local; a wrong stamp triggers a rescan).
 */
export function overwriteSmallFile(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fd = openSync(path, 'w', 0o600);
  }
  try {
    const buf = Buffer.from(text);
    writeSync(fd, buf, 0, buf.length, 0);
    ftruncateSync(fd, buf.length);
  } finally {
    closeSync(fd);
  }
}
