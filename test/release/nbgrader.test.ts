// nbgrader compatibility: the notebook's nbgrader cell metadata validates against nbgrader's own v3
// schema (vendored in test/data/nbgrader/ with its licence) plus the rules nbgrader's validator adds
// on top of the schema; the generated nbgrader source notebook grades full marks, and nbgrader's
// ClearSolutions (re-implemented in lib/release/nbgrader.ts) turns it into a not-implemented one.
import Ajv from 'ajv';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configureChecks } from '../../lib/grader/checks/checks';
import { gradeNotebook } from '../../lib/grader';
import { LeakError, assertNoLeaks } from '../../lib/release/leak-guard';
import {
  BEGIN,
  END,
  NBGRADER_CONFIG,
  TYPESCRIPT_STUB,
  clearSolutionRegions,
  nbgraderSource,
  writeNbgraderCourse,
} from '../../lib/release/nbgrader';
import { Cell, Notebook, readNotebook, sourceText, studentNotebook } from '../../lib/release/student-notebook';
import { namespace } from '../../lib/jupyter/notebook';

const nbg = (c: Cell) => namespace(c, 'nbgrader') as Record<string, any>;
import { NOTEBOOK, ROOT, executeNotebook, requireJupyter } from '../support/jupyter';
import { tempDir } from '../support/tmp';
import { SOLUTIONS_PATH } from '../support/paths';

const SCHEMA_FILE = path.join(ROOT, 'test', 'data', 'nbgrader', 'v3.schema.json');
const SOLUTIONS = fs.readFileSync(path.join(ROOT, SOLUTIONS_PATH), 'utf8');

/**
 * nbgrader's v3 metadata rules beyond the JSON schema (MetadataValidatorV3.validate_cell/validate_nb):
 * a graded, solution or locked cell needs a non-empty grade_id; a graded cell needs points; a markdown
 * cell is graded exactly when it is a solution (unless it is a task); task cells are markdown; grade
 * ids are unique in the notebook.
 */
function nbgraderRuleErrors(nb: Notebook): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  nb.cells.forEach((cell, i) => {
    const m = cell.metadata?.nbgrader as Record<string, any> | undefined;
    if (!m) return;
    const where = `cell ${i} (${m.grade_id ?? 'no grade_id'})`;
    if ((m.grade || m.solution || m.locked) && (typeof m.grade_id !== 'string' || m.grade_id === ''))
      errors.push(`${where}: needs a grade_id`);
    if (m.grade && m.points === undefined) errors.push(`${where}: graded cell without points`);
    if (!m.task && cell.cell_type === 'markdown' && Boolean(m.grade) !== Boolean(m.solution))
      errors.push(`${where}: markdown cells are graded exactly when they are solutions`);
    if (m.task && cell.cell_type !== 'markdown') errors.push(`${where}: task cells must be markdown`);
    if (m.grade_id !== undefined) {
      if (ids.has(m.grade_id)) errors.push(`${where}: duplicate grade_id`);
      ids.add(m.grade_id);
    }
  });
  return errors;
}

function validator() {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  // Ajv 8 speaks draft-07; every keyword this draft-04 schema uses means the same there (checked below)
  const keywords = new Set<string>();
  const walk = (o: unknown) => {
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) {
        keywords.add(k);
        if (k !== 'properties') walk(v);
        else Object.values(v as object).forEach(walk);
      }
    }
  };
  walk(schema);
  const same = [
    '$comment',
    '$schema',
    'title',
    'type',
    'properties',
    'description',
    'minimum',
    'maximum',
    'default',
    'pattern',
    'minLength',
    'maxLength',
    'enum',
    'required',
    'additionalProperties',
  ];
  expect(
    [...keywords].filter((k) => !same.includes(k)),
    'schema keywords whose meaning differs between drafts',
  ).to.deep.equal([]);
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

function schemaErrors(nb: Notebook): string[] {
  const validate = validator();
  return nb.cells.flatMap((cell, i) => {
    const m = cell.metadata?.nbgrader as Record<string, any> | undefined;
    if (!m || validate(m)) return [];
    return (validate.errors ?? []).map((e) => `cell ${i}: ${e.instancePath} ${e.message}`);
  });
}

/** What nbgrader's generate_assignment does to the source notebook's solution regions. */
function cleared(source: Notebook): Notebook {
  return {
    ...source,
    cells: source.cells.map((c) => {
      const text = clearSolutionRegions(sourceText(c), TYPESCRIPT_STUB);
      return text === null ? c : { ...c, source: text };
    }),
  };
}

describe('release: nbgrader', function () {
  const nb = readNotebook(NOTEBOOK);

  it("vendors nbgrader's v3 schema with its licence and source", () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    expect(schema.$comment).to.match(/jupyter\/nbgrader.*nbgraderformat\/v3\.json.*commit [0-9a-f]{40}/);
    expect(schema.required).to.deep.equal(['schema_version', 'grade', 'locked', 'solution']);
    expect(fs.readFileSync(path.join(ROOT, 'test', 'data', 'nbgrader', 'LICENSE'), 'utf8')).to.match(
      /Copyright \(c\) 2014, Project Jupyter[\s\S]*Redistribution and use/,
    );
  });

  it('the schema and rules catch bad metadata (they are not blind)', () => {
    const bad: Notebook = {
      ...nb,
      cells: [
        {
          cell_type: 'code',
          source: '',
          metadata: { nbgrader: { schema_version: 3, grade: true, locked: true, solution: false, grade_id: 'a b' } },
        },
        {
          cell_type: 'code',
          source: '',
          metadata: {
            nbgrader: { schema_version: 2, grade: false, locked: false, solution: true, grade_id: 'x', extra: 1 },
          },
        },
        {
          cell_type: 'code',
          source: '',
          metadata: { nbgrader: { schema_version: 3, grade: false, locked: false, solution: true, grade_id: 'x' } },
        },
      ],
    };
    expect(schemaErrors(bad).join('\n'))
      .to.match(/pattern/)
      .and.match(/schema_version|minimum/)
      .and.match(/additional/);
    expect(nbgraderRuleErrors(bad).join('\n'))
      .to.match(/without points/)
      .and.match(/duplicate grade_id/);
  });

  it('the instructor notebook: exercise and check cells carry valid nbgrader v3 metadata', () => {
    expect(schemaErrors(nb)).to.deep.equal([]);
    expect(nbgraderRuleErrors(nb)).to.deep.equal([]);
    for (const id of ['train_disc', 'train_gen']) {
      const cell = nb.cells.find((c) => nbg(c).grade_id === id);
      expect(cell, id).to.not.equal(undefined);
      expect(cell!.cell_type).to.equal('code');
      expect(cell!.metadata.nbgrader).to.include({ schema_version: 3, solution: true, grade: false, locked: false });
    }
    // the self-check cells: graded, locked, worth what the grader's checks for that exercise are worth
    const checks = nb.cells.filter((c) => nbg(c).grade === true);
    expect(checks.map((c) => nbg(c).grade_id)).to.have.members(['check_train_disc', 'check_train_gen']);
    for (const cell of checks) {
      const ex = String(nbg(cell).grade_id).replace(/^check_/, '');
      const points = configureChecks()
        .filter((c) => c.exercise === ex)
        .reduce((a, c) => a + c.points, 0);
      expect(nbg(cell)).to.include({ schema_version: 3, grade: true, locked: true, solution: false, points });
      expect(sourceText(cell)).to.match(new RegExp(ex === 'train_disc' ? 'trainDisc' : 'trainGen'));
    }
  });

  it('the student notebook keeps valid metadata', () => {
    const student = studentNotebook(nb).notebook;
    expect(schemaErrors(student)).to.deep.equal([]);
    expect(nbgraderRuleErrors(student)).to.deep.equal([]);
  });

  describe('source notebook with BEGIN/END SOLUTION', () => {
    let dir: string;
    let source: Notebook;
    before(() => {
      dir = tempDir('gan-nbgrader-');
      writeNbgraderCourse(studentNotebook(nb).notebook, SOLUTIONS, dir);
      source = readNotebook(path.join(dir, 'source', 'gan_1d', 'gan_1d.ipynb'));
    });

    it('inlines the reference between the markers, in solution cells only, with valid metadata', () => {
      const marked = source.cells.filter((c) => sourceText(c).includes(BEGIN));
      expect(marked.map((c) => nbg(c).grade_id)).to.deep.equal(['train_disc', 'train_gen']);
      for (const c of marked) {
        expect(sourceText(c))
          .to.contain(END)
          .and.not.match(/TODO\(/);
        expect(nbg(c).solution).to.equal(true);
      }
      expect(schemaErrors(source)).to.deep.equal([]);
      // it holds the reference: exactly what the leak guard exists to keep from students
      expect(() => assertNoLeaks(path.join(dir, 'source'), SOLUTIONS)).to.throw(LeakError);
    });

    it("grades full marks as it is, and not-implemented after nbgrader's ClearSolutions", async () => {
      const file = path.join(dir, 'source', 'gan_1d', 'gan_1d.ipynb');
      const full = await gradeNotebook(file);
      expect(full.score, JSON.stringify(full.checks.filter((c) => !c.passed))).to.equal(full.maxScore);
      const clearedFile = path.join(dir, 'cleared.ipynb');
      fs.writeFileSync(clearedFile, JSON.stringify(cleared(source)));
      const empty = await gradeNotebook(clearedFile);
      expect(empty.score).to.equal(0);
      expect(empty.diagnoses).to.deep.equal(['not-implemented']); // it compiles: no compile-error
    });

    it('scored like nbgrader autograde (GAN_NBGRADER=1): source 20/20, after ClearSolutions 0/20', function () {
      requireJupyter(this);
      // nbgrader's rule for a code grade cell: an error (or stderr) output scores 0, else its points
      const score = (executed: Notebook) => {
        const graded = executed.cells.filter((c) => nbg(c).grade === true);
        expect(graded.length).to.equal(2);
        return graded.reduce((total, c) => {
          const outputs = (c.outputs ?? []) as { output_type: string; name?: string; text?: string | string[] }[];
          // a cell that never ran would score full marks in this rule: make sure it ran the self-check
          expect(outputs.map((o) => [o.text ?? ''].flat().join('')).join(''), 'check cell ran').to.match(/self-check/);
          const failed = outputs.some(
            (o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'),
          );
          return total + (failed ? 0 : Number(nbg(c).points));
        }, 0);
      };
      // the notebook imports ../dist/lib and tslab resolves packages upwards: give the temp folder
      // the project's dist/ and node_modules next to the notebook's folder
      for (const f of ['dist', 'node_modules']) fs.symlinkSync(path.join(ROOT, f), path.join(dir, 'source', f), 'dir');
      const env = { GAN_NBGRADER: '1', GAN_ITERATIONS: '2', GAN_BACKEND: 'wasm' }; // wasm: the grader's own backend
      const sourceFile = path.join(dir, 'source', 'gan_1d', 'gan_1d.ipynb');
      expect(score(executeNotebook(sourceFile, { allowErrors: true, env }) as unknown as Notebook)).to.equal(20);
      const clearedFile = path.join(dir, 'source', 'gan_1d', 'cleared.ipynb');
      fs.writeFileSync(clearedFile, JSON.stringify(cleared(source)));
      expect(score(executeNotebook(clearedFile, { allowErrors: true, env }) as unknown as Notebook)).to.equal(0);
    });

    it('nbgrader_config.py: TypeScript code stub and delimiters, valid Python', () => {
      const config = fs.readFileSync(path.join(dir, 'nbgrader_config.py'), 'utf8');
      expect(config).to.equal(NBGRADER_CONFIG);
      expect(config).to.contain('"typescript": ').and.contain('begin_solution_delimeter = "BEGIN SOLUTION"');
      const py = spawnSync(
        'python3',
        [
          '-c',
          `get_config = lambda: type('C', (), {'__getattr__': lambda s, k: s.__dict__.setdefault(k, type('S', (), {})())})()\nexec(open(${JSON.stringify(path.join(dir, 'nbgrader_config.py'))}).read())\nprint(c.ClearSolutions.code_stub['typescript'])`,
        ],
        { encoding: 'utf8' },
      );
      expect(py.status, py.stderr).to.equal(0);
      expect(py.stdout.trim()).to.equal(TYPESCRIPT_STUB);
    });

    it('ClearSolutions semantics: region replaced at its indentation; unterminated region is an error', () => {
      expect(clearSolutionRegions('a\n  // BEGIN SOLUTION\n  x\n  // END SOLUTION\nb', 'S1\nS2')).to.equal(
        'a\n  S1\n  S2\nb',
      );
      expect(clearSolutionRegions('no markers', 'S')).to.equal(null);
      expect(() => clearSolutionRegions('// BEGIN SOLUTION\nx', 'S')).to.throw(/no END SOLUTION/);
      expect(nbgraderSource(nb, SOLUTIONS).cells.length).to.equal(nb.cells.length);
    });
  });
});
