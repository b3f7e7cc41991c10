// One command shape: a subcommand declares its options once (lib/cli/options.ts's command()), and its
// --help and its parsing both come from that declaration.
import { expect } from 'chai';
import { command } from '../../lib/cli/options';

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
