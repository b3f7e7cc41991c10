// Temporary folders for tests, removed when the test process exits (KEEP_TEST_TMP=1 keeps them for a
// look after a failure; their paths are then printed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

process.on('exit', () => {
  if (process.env.KEEP_TEST_TMP === '1') {
    if (made.length > 0) process.stderr.write(`kept test folders (KEEP_TEST_TMP=1):\n  ${made.join('\n  ')}\n`);
    return;
  }
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under `parent` (the system's temp folder), named `prefix` + random characters. */
export function tempDir(prefix: string, parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  made.push(dir);
  return dir;
}
