// One command shape: a subcommand declares its options once (lib/cli/options.ts's command()), and its
// --help and its parsing both come from that declaration.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../lib/cli';
import { Command, command } from '../../lib/cli/options';
import { ROOT } from '../../lib/paths';

describe('cli: the command shape', () => {
  const seen: unknown[] = [];
  const demo = command({
    name: 'demo',
    summary: 'a demo',
    synopsis: '[options] <file>',
    about: 'Does the demo.',
    options: {
      count: { type: 'string', arg: 'N', description: 'how many (default 3)' },
      dry: { type: 'boolean', short: 'n', description: 'only say what it would do' },
    },
    positionals: true,
    run: async (values, positionals) => {
      seen.push({ values, positionals });
      return 0;
    },
  });

  it('--help lists every declared option with its argument and description, and help itself', () => {
    expect(demo.usage).to.match(/^Usage: gan-seminar demo \[options\] <file>\n\nDoes the demo\.\n\nOptions:\n/);
    expect(demo.usage).to.match(/\n {2}--count N +how many \(default 3\)\n/);
    expect(demo.usage).to.match(/\n {2}-n, --dry +only say what it would do\n/);
    expect(demo.usage).to.match(/\n {2}-h, --help +show this help\n$/);
    expect(demo.summary).to.equal('a demo');
  });

  it('parses what it declares and refuses what it does not', async () => {
    expect(await demo.run(['--count', '5', '-n', 'a.ipynb'])).to.equal(0);
    expect(seen.pop()).to.deep.equal({ values: { count: '5', dry: true }, positionals: ['a.ipynb'] });
    await demo.run(['--verbose']).then(
      () => expect.fail('an undeclared option must be refused'),
      (err: Error & { code?: string }) => expect(err.code).to.equal('ERR_PARSE_ARGS_UNKNOWN_OPTION'),
    );
    expect(seen).to.deep.equal([]);
  });
});

describe('cli: every subcommand and every bench script has that shape', () => {
  const shaped: Command[] = [
    ...Object.values(COMMANDS).map((load) => load()),
    require('../../lib/bench/bench').BENCH as Command,
    require('../../lib/bench/mistake-runs').MISTAKES_COMMAND as Command,
    require('../../lib/bench/ops').OPS as Command,
    require('../../lib/bench/end-states').END_STATES as Command,
  ];

  /** What `run(args)` writes to stdout, and its exit code. */
  async function stdoutOf(cmd: Command, args: string[]): Promise<{ code: number; out: string }> {
    const write = process.stdout.write;
    let out = '';
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
      return { code: await cmd.run(args), out };
    } finally {
      process.stdout.write = write;
    }
  }

  it("lists each command's declared options in its --help, and only those", () => {
    expect(shaped.map((c) => c.name)).to.include.members([
      ...['train', 'grade', 'check', 'release', 'autograder', 'course'],
      ...['bench', 'mistake-runs', 'ops', 'end-states'],
    ]);
    for (const cmd of shaped) {
      const listed = cmd.usage
        .split('\nOptions:\n')[1]
        .split('\n')
        .map((line) => /^ {2}(?:-\w, )?--([\w-]+)/.exec(line)?.[1])
        .filter((o): o is string => o !== undefined);
      expect(listed, cmd.name).to.deep.equal([...Object.keys(cmd.options), 'help']);
    }
  });

  it('parses every option its --help lists (each given at once, then --help prints the usage)', async () => {
    for (const cmd of shaped) {
      const args = Object.entries(cmd.options).flatMap(([long, o]) =>
        o.type === 'string' ? [`--${long}`, '1'] : [`--${long}`],
      );
      expect(await stdoutOf(cmd, [...args, '--help']), cmd.name).to.deep.equal({ code: 0, out: cmd.usage });
    }
  });

  it('no command parses its own arguments or writes its own usage (lib/cli/options.ts is the one home)', () => {
    const files = [
      ...fs.readdirSync(path.join(ROOT, 'lib', 'cli')).map((f) => path.join('lib', 'cli', f)),
      ...fs.readdirSync(path.join(ROOT, 'lib', 'bench')).map((f) => path.join('lib', 'bench', f)),
      path.join('lib', 'cli.ts'),
    ].filter((f) => f.endsWith('.ts') && f !== path.join('lib', 'cli', 'options.ts'));
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      expect(text, f).to.not.match(/\bparseArgs\b|['"`]Usage: gan-seminar \w|['"`]Usage: (npm|node) /);
    }
    const modules = fs.readdirSync(path.join(ROOT, 'lib', 'cli')).filter((f) => f !== 'options.ts');
    expect(modules.map((f) => f.replace(/\.ts$/, '')).sort()).to.deep.equal(Object.keys(COMMANDS).sort());
  });
});
