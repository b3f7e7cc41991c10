// Step "compile": type-check the exercise cells the way tslab does (same compiler family, same loose
// options, the notebook's globals declared) and transpile them to plain scripts for the sandbox.
// Errors read like tslab's: "line:column - message", lines counted within the cell.
import * as path from 'node:path';
import * as ts from 'typescript';
import { NOTEBOOK_GLOBALS } from '../seminar/models';
import type { ExerciseId } from '../exercises';
import { ROOT } from '../paths';

import type { CompileError } from './compile-error';

export { CompileError, formatCompileError } from './compile-error';

/** A code cell the grader runs: an exercise's, or another cell above the training loop (a helper, scratch). */
export interface ProgramCell {
  /** Index in the notebook. */
  index: number;
  source: string;
  /** Set for an exercise's cell. */
  exercise?: ExerciseId;
}

export interface CompiledCell {
  index: number;
  exercise?: ExerciseId;
  /** JavaScript to run as a script in the sandbox's context (its declarations become the notebook's globals). */
  js: string;
  /** The script returns a promise to await (the cell has a top-level await). */
  async: boolean;
  errors: CompileError[];
}

const LIB = path.join(ROOT, 'dist', 'lib');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const GLOBALS_FILE = path.join(NOTEBOOKS, '__grader_globals.d.ts');

/** The notebook's globals, as tslab sees them after the samplers and models cells. */
const GLOBALS = [
  `type GanLib = typeof import(${JSON.stringify(LIB)});`,
  ...NOTEBOOK_GLOBALS.map((name) => `declare const ${name}: import(${JSON.stringify(LIB)}).Seminar['${name}'];`),
  "declare const TODO: GanLib['TODO'];",
  'declare const SOLUTIONS: boolean;',
  '',
].join('\n');

/** The notebook's imports (its first cell's), for a cell that does not import these names itself. */
const NOTEBOOK_IMPORTS: Record<string, string> = {
  tf: "import * as tf from '@tensorflow/tfjs';",
  gan: "import * as gan from '../dist/lib';",
};

// tslab's options (converter.js), minus its emit settings; ES modules, so a cell may await at top level as in tslab.
const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
  typeRoots: [path.join(ROOT, 'node_modules', '@types')],
};

// Library .d.ts files parse once per process; later programs reuse them (type-checking stays per cell).
const sourceCache = new Map<string, ts.SourceFile>();
// The previous program: its module resolutions and structure are reused by the next one.
let previous: ts.Program | undefined;

function cellFile(index: number): string {
  return path.join(NOTEBOOKS, `__grader_cell_${index}.ts`);
}

/** The names a cell declares at top level (values and types, imports included). */
export function topLevelNames(source: string): string[] {
  return namesOf(source).declared;
}

/**
 * What a cell declares at top level, and every identifier it mentions (a superset of the names it uses
 * from cells above: property names and shadowed locals count too, which costs an unused import only).
 */
function namesOf(source: string): { declared: string[]; mentioned: Set<string> } {
  const sf = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const bound = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bound(e.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => bound(d.name));
    else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    )
      names.push(st.name.text);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.push(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.push(c.namedBindings.name.text);
      if (c.namedBindings && ts.isNamedImports(c.namedBindings))
        c.namedBindings.elements.forEach((e) => names.push(e.name.text));
    }
  }
  const mentioned = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) mentioned.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { declared: [...new Set(names)], mentioned };
}

function createHost(virtual: Map<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(OPTIONS, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError) => {
    const text = virtual.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
    let sf = sourceCache.get(f);
    if (!sf) {
      sf = getSourceFile.call(host, f, lang, onError);
      if (sf) sourceCache.set(f, sf);
    }
    return sf;
  };
  return host;
}

function flatten(message: string | ts.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, '\n');
}

/**
 * Type-checks the cells as tslab does: each on its own, seeing what the cells above it declared (the
 * latest declaration of a name wins) and the notebook's imports; a top-level await is fine. Each cell's
 * first line carries the imports it needs, so line numbers stay the cell's.
 */
export function compileCells(cells: ProgramCell[]): CompiledCell[] {
  const virtual = new Map<string, string>([[GLOBALS_FILE, GLOBALS]]);
  const parsed = cells.map((c) => namesOf(c.source));
  const names = parsed.map((p) => p.declared);
  // Each cell imports only the names it mentions, from the cell that declared each last: the preludes
  // (and the type-check) grow with the cells' own size, not with the square of their number (a prelude
  // of every earlier name made 1000 one-line cells cost 12.7 s and 1.65 GB, 5000 an out-of-memory).
  const lastDeclared = new Map<string, number>();
  const preludes = cells.map((c, i) => {
    const own = new Set(names[i]);
    const imports: string[] = Object.entries(NOTEBOOK_IMPORTS)
      .filter(([name]) => !own.has(name))
      .map(([, line]) => line);
    const from = new Map<number, string[]>();
    for (const n of parsed[i].mentioned) {
      const k = lastDeclared.get(n);
      if (k === undefined || own.has(n)) continue;
      from.set(k, [...(from.get(k) ?? []), n]);
    }
    for (const [k, list] of [...from].sort((a, b) => b[0] - a[0]))
      imports.push(`import { ${list.join(', ')} } from './${path.basename(cellFile(cells[k].index), '.ts')}';`);
    names[i].forEach((n) => lastDeclared.set(n, i));
    return imports.join(' ') + ' ';
  });
  cells.forEach((c, i) =>
    virtual.set(cellFile(c.index), preludes[i] + c.source + `\nexport { ${names[i].join(', ')} };\n`),
  );
  const program = ts.createProgram(
    [GLOBALS_FILE, ...cells.map((c) => cellFile(c.index))],
    OPTIONS,
    createHost(virtual),
    previous,
  );
  previous = program;
  return cells.map((c, i): CompiledCell => {
    const sf = program.getSourceFile(cellFile(c.index))!;
    const prelude = preludes[i].length;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    const errors = diagnostics
      .filter(
        (d) =>
          d.category === ts.DiagnosticCategory.Error &&
          d.start !== undefined &&
          d.start >= prelude &&
          d.start < prelude + c.source.length,
      )
      .map((d): CompileError => {
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start!);
        return {
          line: line + 1,
          column: line === 0 ? Math.max(1, character + 1 - prelude) : character + 1,
          message: flatten(d.messageText),
        };
      })
      .sort((x, y) => x.line - y.line || x.column - y.column);
    const { js, async } = toScript(c.source);
    return { index: c.index, exercise: c.exercise, js, async, errors };
  });
}

/** Where the notebook's own modules come from in the sandbox: tf and the seminar's lib are its globals. */
function importedAs(spec: string): string | undefined {
  if (spec === '@tensorflow/tfjs') return 'tf';
  if (/(^|\/)dist\/lib(\/index(\.js)?)?$/.test(spec)) return 'gan';
  return undefined;
}

/** A cell's imports as the sandbox's globals (`var tf2 = tf;`); any other module is an error when the cell runs. */
function rewriteImports(source: string): string {
  const sf = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  let out = source;
  for (const st of [...sf.statements].reverse()) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const spec = st.moduleSpecifier.text;
    const global = importedAs(spec);
    const c = st.importClause;
    const bindings: string[] = [];
    if (c?.name) bindings.push(`${c.name.text} = ${global}`);
    if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings))
      bindings.push(`${c.namedBindings.name.text} = ${global}`);
    if (c?.namedBindings && ts.isNamedImports(c.namedBindings)) {
      for (const e of c.namedBindings.elements)
        bindings.push(`${e.name.text} = ${global}.${(e.propertyName ?? e.name).text}`);
    }
    const keepLines = '\n'.repeat((st.getText(sf).match(/\n/g) ?? []).length);
    const replacement = global
      ? bindings.length > 0
        ? `var ${bindings.join(', ')};`
        : ';'
      : `throw new Error(${JSON.stringify(`graded cells can import only @tensorflow/tfjs and the seminar's lib, not "${spec}"`)});`;
    out = out.slice(0, st.getStart(sf)) + replacement + keepLines + out.slice(st.end);
  }
  return out;
}

/**
 * TypeScript → a script for the sandbox's vm context. Top-level const/let become var, so a later cell
 * may declare a name again, as in tslab. A cell with a top-level await runs as an async function,
 * its declarations hoisted out of it so they still become globals.
 */
export function toScript(source: string): { js: string; async: boolean } {
  const js = ts.transpileModule(rewriteImports(source), {
    compilerOptions: { module: ts.ModuleKind.None, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: false,
  }).outputText;
  const sf = ts.createSourceFile('cell.js', js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const awaits = sf.statements.some(hasTopLevelAwait);
  const hoisted: string[] = [];
  const functions: string[] = [];
  const body: string[] = [];
  for (const st of sf.statements) {
    const text = st.getFullText(sf);
    if (ts.isVariableStatement(st)) {
      const list = st.declarationList;
      const kw = list.getFirstToken(sf)!;
      if (!awaits) {
        body.push(
          text.slice(0, kw.getStart(sf) - st.getFullStart()) + 'var' + text.slice(kw.getEnd() - st.getFullStart()),
        );
        continue;
      }
      // var a = 1, {b} = c;  →  var a, b; (outside)  a = 1; ({b} = c); (inside)
      for (const d of list.declarations) {
        const names: string[] = [];
        const collect = (n: ts.BindingName) => {
          if (ts.isIdentifier(n)) names.push(n.text);
          else for (const e of n.elements) if (!ts.isOmittedExpression(e)) collect(e.name);
        };
        collect(d.name);
        hoisted.push(...names);
        if (d.initializer) body.push(`(${d.name.getText(sf)} = ${d.initializer.getText(sf)});`);
      }
      continue;
    }
    if (awaits && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))) {
      if (ts.isClassDeclaration(st) && st.name) {
        hoisted.push(st.name.text);
        body.push(`${st.name.text} = ${st.getText(sf)};`);
      } else functions.push(text);
      continue;
    }
    body.push(text);
  }
  if (!awaits) return { js: body.join(''), async: false };
  const vars = hoisted.length > 0 ? `var ${[...new Set(hoisted)].join(', ')};\n` : '';
  return { js: `${vars}${functions.join('\n')}\n(async () => {\n${body.join('\n')}\n})()`, async: true };
}

function hasTopLevelAwait(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, hasTopLevelAwait) ?? false;
}
