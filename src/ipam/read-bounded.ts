// Reads a small file the plugin trusts only as far as `max` bytes (issue 18). A data dir or a
// resolvConf path is whatever the caller says it is: a multi-gigabyte file there, or a path like
// /dev/zero, must cost at most max + 1 bytes and end in an error, never exhaust memory or hang.
import { closeSync, openSync, readSync } from 'node:fs';

/** The file's text when it has at most `max` bytes; `undefined` when it has more. */
export function readFileBounded(path: string, max: number): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(max + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > max) return undefined;
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
