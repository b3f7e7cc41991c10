// The README a student opens first (issue 20, findings 7 and 8): the two set-up commands, then the
// student's steps in one place; the kernel they are told to register is the project's (with the hooks
// that say which cell to run first), `npx tslab install` named only as what not to use and why.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../lib/paths';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const sections = README.split(/^## /m).map((s) => s.split('\n')[0].trim());

describe('README: what a student reads first', () => {
  it("the set-up (two commands), then the students' steps, before instructors and maintainers", () => {
    expect(sections.slice(1, 4)).to.deep.equal([
      'Set-up on a fresh machine (two commands)',
      'For students',
      'For instructors',
    ]);
    const setup = README.split(/^## /m)[1];
    expect(setup)
      .to.match(/^npm install && npm start\b/m)
      .and.match(/^npm test\b/m);
    const students = README.split(/^## /m)[2];
    for (const step of ['Install', 'Open', 'Run the cells from the top', 'Self-check', 'Train', 'Submit'])
      expect(students, step).to.contain(`**${step}**`);
  });

  it("registers the project's kernels (npm run kernel:install), never tells students to `npx tslab install`", () => {
    const students = README.split(/^## /m)[2];
    expect(students).to.match(/^npm run kernel:install -- --user/m);
    // every mention of `npx tslab install` says why not to use it or what it leaves
    const mentions = README.split('\n').filter((l) => l.includes('npx tslab install'));
    expect(mentions.length).to.be.greaterThan(0);
    for (const line of mentions) expect(line).to.match(/rather than|also adds|registered by/);
    expect(README).to.not.match(/^\s*npx tslab install/m);
  });
});
