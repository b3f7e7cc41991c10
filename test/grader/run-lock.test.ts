// The lock that lets a grading wait for another's end-state runs of the same cells (lib/grader/sandbox/run-lock.ts,
// used by sandbox.ts endStateCache) instead of running the same minutes of training twice.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHeld, releaseLock, takeLock, waitWhileHeld } from '../../lib/grader/sandbox/run-lock';
import { tempDir } from '../support/tmp';

describe('run lock (a grading waits for the same end-state runs elsewhere)', () => {
  let lock: string;
  beforeEach(() => {
    lock = path.join(tempDir('gan-run-lock-'), 'runs.json.lock');
  });

  it('one holder at a time: taken, refused while held, free again once released', () => {
    expect(isHeld(lock)).to.equal(false);
    expect(takeLock(lock)).to.equal(true);
    expect(isHeld(lock)).to.equal(true);
    expect(takeLock(lock), 'a second grading (this process or another)').to.equal(false);
    releaseLock(lock);
    expect(isHeld(lock)).to.equal(false);
    expect(takeLock(lock)).to.equal(true);
  });

  it('a lock whose process is gone holds nothing (a grading killed mid-run does not stall the next)', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(lock, String(gone));
    expect(isHeld(lock)).to.equal(false);
    expect(takeLock(lock)).to.equal(true);
    expect(fs.readFileSync(lock, 'utf8')).to.equal(String(process.pid));
  });

  it('a held lock is waited for, the event loop free, until it is released', async () => {
    expect(takeLock(lock)).to.equal(true);
    let released = false;
    setTimeout(() => {
      released = true;
      releaseLock(lock);
    }, 300);
    expect(await waitWhileHeld(lock, 60_000, 20)).to.equal(true);
    expect(released, 'returned only after the release').to.equal(true);
  });

  it('waits at most the given time for a holder that never lets go', async () => {
    expect(takeLock(lock)).to.equal(true);
    expect(await waitWhileHeld(lock, 50, 10)).to.equal(false);
    expect(isHeld(lock)).to.equal(true);
  });
});
