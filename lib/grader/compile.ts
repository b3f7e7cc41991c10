// Step "compile": type-check the exercise cells the way tslab does (same compiler family, same loose
// options, the notebook's globals declared) and transpile them to plain scripts for the sandbox.
// Errors read like tslab's: "line:column - message", lines counted within the cell.
import * as path from 'node:path';
import * as ts from 'typescript';
import { NOTEBOOK_GLOBALS } from '../seminar/models';
import type { ExerciseId } from './observe';

export interface CompileError {
  line: number;
  column: number;
  message: string;
}

export interface CompiledCell {
  exercise: ExerciseId;
  /** JavaScript to run as a script in the sandbox's context. */
  js: string;
  errors: CompileError[];
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
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

/** Prepended on the cell's first line (so line numbers stay the cell's): the notebook's imports. */
const PRELUDE = `import * as tf from '@tensorflow/tfjs'; import * as gan from '../dist/lib'; `;

// tslab's options (converter.js), minus its emit settings.
const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
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

function cellFile(exercise: ExerciseId): string {
  return path.join(NOTEBOOKS, `__grader_${exercise}.ts`);
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

/** Type-checks the cells together (the train_gen cell sees what the train_disc cell declared, as in the notebook). */
export function compileCells(cells: { exercise: ExerciseId; source: string }[]): CompiledCell[] {
  const virtual = new Map<string, string>([[GLOBALS_FILE, GLOBALS]]);
  for (const c of cells) virtual.set(cellFile(c.exercise), PRELUDE + c.source + '\nexport {};\n');
  const program = ts.createProgram([GLOBALS_FILE, ...cells.map((c) => cellFile(c.exercise))], OPTIONS, createHost(virtual), previous);
  previous = program;
  return cells.map((c): CompiledCell => {
    const sf = program.getSourceFile(cellFile(c.exercise))!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    const errors = diagnostics
      .filter((d) => d.category === ts.DiagnosticCategory.Error && d.start !== undefined)
      .map((d): CompileError => {
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start!);
        return { line: line + 1, column: line === 0 ? Math.max(1, character + 1 - PRELUDE.length) : character + 1, message: flatten(d.messageText) };
      })
      .sort((x, y) => x.line - y.line || x.column - y.column);
    return { exercise: c.exercise, js: transpile(c.source), errors };
  });
}

/** TypeScript → a script for vm (imports become `require`, which the sandbox does not have). */
export function transpile(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    reportDiagnostics: false,
  }).outputText;
}

/** "3:7 - Cannot find name 'foo'." — the way tslab prints it. */
export function formatCompileError(e: CompileError): string {
  return `${e.line}:${e.column} - ${e.message}`;
}
