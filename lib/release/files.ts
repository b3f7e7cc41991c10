// Which files of the instructor's repository go to the student bundle. The lib is chosen by what the
// student-facing entry points import (not by a hand-kept list), so a new lib module that the notebook
// needs ships by itself, and one that would drag the reference along stops the release.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { SOLUTIONS_PATH } from '../paths';

/** Modules the student bundle starts from: what the notebook and the student's CLI load. */
export const ENTRY_POINTS = [
  'lib/index.ts',
  'lib/cli.ts',
  'lib/grader/self-check/self-check.ts',
  'lib/grader/self-check/expected.ts',
  'lib/grader/checks/checks.spec.ts',
];

/** CLI subcommands a student may run; the others are instructor tools and are cut from the table. */
export const STUDENT_COMMANDS = ['check'];

/** Never in the bundle, whoever imports them. */
export const INSTRUCTOR_ONLY = [
  /^lib\/reference\/solutions\.ts$/,
  /^lib\/release\//,
  /^lib\/cli\/(release|autograder|grade|train)\.ts$/,
];

/** The lazy loader is the one place allowed to name the reference (it says "not in this release" when absent). */
const REFERENCE_LOADER = 'lib/reference/index.ts';
const SOLUTIONS = SOLUTIONS_PATH;

export function isInstructorOnly(rel: string): boolean {
  return INSTRUCTOR_ONLY.some((re) => re.test(rel));
}

/** Relative module specifiers of a TypeScript file: imports, re-exports, require('./x'), import('./x'). */
export function localImports(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      // `import type` is erased, but the types still have to resolve in the bundle's build
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) {
        out.push(node.arguments[0].text);
      }
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out.filter((s) => s.startsWith('.'));
}

function resolveLocal(root: string, fromRel: string, spec: string): string | undefined {
  const base = path.join(path.dirname(path.join(root, fromRel)), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate))
      return path.relative(root, candidate).split(path.sep).join('/');
    if (candidate.endsWith('.json') && fs.existsSync(candidate))
      return path.relative(root, candidate).split(path.sep).join('/');
  }
  return undefined;
}

/** The cli.ts COMMANDS table with only the student commands left. */
export function studentCli(source: string): string {
  const entry = /^\s+(['"]?)([\w-]+)\1:\s*\(\)\s*=>\s*require\(['"]\.\/cli\/([\w-]+)['"]\)/;
  const lines = source.split('\n');
  const kept = lines.filter((line) => {
    const m = entry.exec(line);
    return !m || STUDENT_COMMANDS.includes(m[2]);
  });
  if (!lines.some((l) => entry.test(l))) {
    throw new Error(
      'release: found no COMMANDS entries in lib/cli.ts — has the table changed shape? Update studentCli in lib/release/files.ts',
    );
  }
  // the instructor CLI defaults to `train`; a student's bare `gan-seminar` shows the help instead
  return kept
    .join('\n')
    .replace(/\[name = '([\w-]+)'/, (m, cmd: string) => (STUDENT_COMMANDS.includes(cmd) ? m : "[name = '--help'"));
}

export interface LibSelection {
  /** Repository-relative files to copy from lib/ (cli.ts is rewritten by studentCli). */
  files: string[];
}

/**
 * The lib files the student entry points reach. Throws when one of them reaches an instructor-only
 * module other than through the reference loader.
 */
export function selectLib(root: string): LibSelection {
  const cliSource = fs.readFileSync(path.join(root, 'lib/cli.ts'), 'utf8');
  const seen = new Set<string>();
  const queue = ENTRY_POINTS.filter((e) => fs.existsSync(path.join(root, e)));
  while (queue.length > 0) {
    const rel = queue.shift()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    if (!rel.endsWith('.ts')) continue;
    const source = rel === 'lib/cli.ts' ? studentCli(cliSource) : fs.readFileSync(path.join(root, rel), 'utf8');
    for (const spec of localImports(source)) {
      const target = resolveLocal(root, rel, spec);
      if (!target) {
        if (rel === REFERENCE_LOADER) continue; // './solutions' may be absent by design
        throw new Error(`release: ${rel} imports "${spec}", which does not exist`);
      }
      if (isInstructorOnly(target)) {
        if (rel === REFERENCE_LOADER && target === SOLUTIONS) continue;
        throw new Error(
          `release: ${rel} imports ${target}, which is instructor-only and cannot ship to students. ` +
            (target === SOLUTIONS
              ? 'Get the reference through lib/reference/index.ts (referenceSteps / hasReference) instead.'
              : 'Move what the student side needs out of it.'),
        );
      }
      if (!target.startsWith('lib/')) throw new Error(`release: ${rel} imports ${target}, outside lib/`);
      queue.push(target);
    }
  }
  return { files: [...seen].sort() };
}
