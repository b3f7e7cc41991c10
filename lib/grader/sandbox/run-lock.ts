// A lock file beside a cache file, for work that takes minutes and is the same in every process that
// does it: the end-state runs of the same cells from the same starts (sandbox.ts endStateCache). The
// grading that runs them holds the lock; another grading of the same cells — in this process (a copy in
// the class) or another (two grading runs, npm test's two workers) — waits for their ends instead of
// running the same minutes of training again. A lock whose process is gone counts for nothing.
import * as fs from 'node:fs';

/** The process holding `file` (its pid), or undefined when none alive does. */
function holder(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // no lock
  }
  const pid = Number(text);
  // being written this instant (created, pid not yet in): held
  if (text === '' || !Number.isInteger(pid) || pid <= 0) return text === '' ? process.pid : undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined; // EPERM: alive, not ours to signal
  }
}

/** True while a live process (this one included) holds `file`. */
export function isHeld(file: string): boolean {
  return holder(file) !== undefined;
}

/** Takes `file` for this process: false when a live process holds it already. */
export function takeLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false; // a read-only checkout: no lock, no waiting
      if (isHeld(file)) return false;
      fs.rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  return false;
}

/** Gives back `file`, taken by takeLock. */
export function releaseLock(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Waits, the event loop free, while a live process holds `file`; at most `ms`. True when it was released. */
export async function waitWhileHeld(file: string, ms: number, everyMs = 500): Promise<boolean> {
  const until = Date.now() + ms;
  while (isHeld(file)) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, Math.max(1, until - Date.now()))));
  }
  return true;
}
