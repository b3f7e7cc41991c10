// The seminar's loss in its natural forms type-checks against the notebook's skeleton (TypeScript 5.9, the
// grader's compiler; test/notebooks/kernel.test.ts does the same in tslab's 5.0), and the usual type
// errors get the cell's line and a plain hint (lib/jupyter/type-hints.ts).
import { expect } from 'chai';
import { compileCells } from '../../lib/jupyter/compile';
import { typeErrorReport } from '../../lib/jupyter/deno';
import { explainDiagnostic, typeHint } from '../../lib/jupyter/type-hints';
import { NOTEBOOK, readNotebook, seminarCell, sourceOf } from '../support/jupyter';

const nb = readNotebook(NOTEBOOK);
const disc = sourceOf(seminarCell(nb, 'train_disc'))
  .replace("TODO('sample noise')", 'sampleNoise(batchSize)')
  .replace("TODO('generate data given noise')", 'gen(noise)')
  .replace("TODO('compute logp for 0th')", 'tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1])');
const errorsWith = (loss: string) =>
  compileCells([
    { index: 5, exercise: 'train_disc', source: disc.replace("TODO('compute loss')", loss) },
  ])[0].errors.map((e) => `${e.line}:${e.column} - ${e.message}`);

describe('the loss as students write it (lib/tfjs/optimizer-types.ts, lib/jupyter/type-hints.ts)', () => {
  for (const form of [
    'tf.neg(tf.mean(tf.add(logpRealIsReal, logpGenIsFake)))',
    'tf.add(logpRealIsReal, logpGenIsFake).mean().neg()',
    'tf.mean(logpRealIsReal.add(logpGenIsFake)).mul(-1)',
    'tf.neg(tf.add(tf.mean(logpRealIsReal), tf.mean(logpGenIsFake)))',
    'tf.sub(tf.neg(tf.mean(logpRealIsReal)), tf.mean(logpGenIsFake))',
  ]) {
    it(`compiles: ${form}`, function () {
      this.timeout(60_000);
      expect(errorsWith(form)).to.deep.equal([]);
    });
  }

  it('`-tf.mean(…)`: the line and "write tf.neg(x) or x.neg()"', function () {
    this.timeout(60_000);
    const loss = '-tf.mean(tf.add(logpRealIsReal, logpGenIsFake))';
    const source = disc.replace("TODO('compute loss')", loss);
    const [first] = errorsWith(loss);
    const line = source.split('\n').findIndex((l) => l.includes(loss)) + 1;
    expect(first).to.match(new RegExp(`^${line}:\\d+ - Type 'number' is not assignable`));
    const text = explainDiagnostic(first, source, new Set());
    expect(text)
      .to.contain(`line ${line} │`)
      .and.contain(loss)
      .and.match(/\n\s+\^\n/);
    expect(text).to.match(/→ `-` doesn't apply to tensors .*tf\.neg\(x\) or x\.neg\(\)/);
  });

  it("`-tf.mean(…)` without `: tf.Tensor`: reported at minimize's call, the hint points at the minus", function () {
    this.timeout(60_000);
    const loss = '-tf.mean(tf.add(logpRealIsReal, logpGenIsFake))';
    const source = disc.replace(/const discLoss: tf\.Tensor = TODO\('compute loss'\)/, `const discLoss = ${loss}`);
    const errors = compileCells([{ index: 5, exercise: 'train_disc', source }])[0].errors;
    const minusLine = source.split('\n').findIndex((l) => l.includes(loss)) + 1;
    expect(errors.map((e) => e.line)).to.not.include(minusLine); // TypeScript names minimize's line
    const shown = new Set<string>();
    // as Deno's report passes them (the whole chain) and as tslab prints them (one line of it)
    for (const text of [
      `${errors[0].line}:${errors[0].column} - ${errors[0].message}`,
      `${errors[0].line}:${errors[0].column} - Type 'number' is not assignable to type 'Tensor<Rank>'.`,
    ]) {
      const explained = explainDiagnostic(text, source, new Set());
      expect(explained).to.contain(`line ${minusLine} │`).and.contain(loss);
      expect(explained).to.match(/→ `-` doesn't apply to tensors .*tf\.neg\(x\)/);
      expect(explained).to.not.contain('a tensor is needed here');
    }
    expect(explainDiagnostic(`${errors[0].line}:${errors[0].column} - ${errors[0].message}`, source, shown)).to.match(
      /\^\n→ `-`/,
    );
  });

  it('each line and each hint once per cell; other errors get the line only', () => {
    const shown = new Set<string>();
    const src = 'const a = 1;\nconst loss: tf.Tensor = x * y;';
    const left = explainDiagnostic(
      "2:25 - The left-hand side of an arithmetic operation must be of type 'any'.",
      src,
      shown,
    );
    const right = explainDiagnostic(
      "2:29 - The right-hand side of an arithmetic operation must be of type 'any'.",
      src,
      shown,
    );
    expect(left)
      .to.contain('line 2 │')
      .and.match(/tf\.mul\(a, b\)/);
    expect(right).to.equal('');
    expect(explainDiagnostic("1:7 - Cannot redeclare block-scoped variable 'a'.", src, new Set())).to.match(
      /^ {2}line 1 │ const a = 1;\n\s+\^\n$/,
    );
    expect(explainDiagnostic('not a diagnostic', src, new Set())).to.equal('');
  });

  it('the hints for a fixed rank, a tensor as a number and PyTorch methods', () => {
    expect(typeHint("Type 'Tensor<Rank>' is not assignable to type 'Scalar'.")).to.match(
      /declare the variable `: tf\.Tensor`/,
    );
    expect(typeHint("Type 'Tensor<Rank>' is not assignable to type 'number'.")).to.match(/dataSync\(\)\[0\]/);
    expect(
      typeHint("Type 'number' is not assignable to type 'Tensor<Rank>'.", 'const l: tf.Tensor = Math.log(2);'),
    ).to.match(/plain number/);
    expect(typeHint("Property 'detach' does not exist on type 'Tensor<Rank>'.")).to.match(/varList/);
    expect(typeHint("Cannot find name 'foo'.")).to.equal(null);
  });
});

describe("Deno's report of an exercise cell that does not type-check (lib/jupyter/deno.ts, issue 20 finding 11)", () => {
  it('shows the line and the hint as tslab does, also under an overload chain (`-tf.mean(x)`)', () => {
    const code = disc.replace("TODO('compute loss')", '-tf.mean(tf.add(logpRealIsReal, logpGenIsFake))');
    const [compiled] = compileCells([{ index: 5, exercise: 'train_disc', source: code }]);
    expect(compiled.errors.length).to.be.greaterThan(0);
    const report = typeErrorReport('train_disc', compiled.errors, code);
    const line = compiled.errors[0].line;
    expect(report).to.contain(`line ${line} │ ${code.split('\n')[line - 1].trimEnd()}`);
    expect(report).to.contain("`-` doesn't apply to tensors");
    // each hint once
    expect(report.split("`-` doesn't apply to tensors").length).to.equal(2);
  });
});
