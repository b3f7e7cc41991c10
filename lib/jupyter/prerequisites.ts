// Which notebook cell defines which name, so a cell run before its prerequisites says which cell to run
// first instead of TypeScript's bare "Cannot find name 'gan'". test/notebooks/kernel.test.ts checks this
// table against notebooks/gan_1d.ipynb (each name is declared in the cell it names).

export interface DefiningCell {
  /** metadata.seminar.cell of the notebook cell. */
  cell: string;
  /** How the student finds it. */
  title: string;
  names: string[];
}

export const DEFINING_CELLS: DefiningCell[] = [
  {
    cell: 'samplers',
    title: 'the first code cell (imports and samplers)',
    names: ['tf', 'gan', 'SOLUTIONS', 'TODO', 'sampleNoise', 'sampleRealData'],
  },
  {
    cell: 'models',
    title: 'the «Models» cell (gen, disc and their optimizers)',
    names: ['gen', 'genOpt', 'disc', 'discOpt'],
  },
  { cell: 'train_disc', title: 'the Exercise 1 cell (trainDisc)', names: ['IS_FAKE', 'IS_REAL', 'trainDisc'] },
  { cell: 'train_gen', title: 'the Exercise 2 cell (trainGen)', names: ['trainGen'] },
];

/** A diagnostic line of tslab's ("2:30 - Cannot find name 'gan'.") about a name one of the cells defines. */
export function isMissingNotebookName(line: string): boolean {
  const m = /^\d+:\d+ - Cannot find (?:name|namespace) '([\w$]+)'/.exec(line);
  return m !== null && DEFINING_CELLS.some((c) => c.names.includes(m[1]));
}

/** The earliest cell defining a name TypeScript could not find in `diagnostics`, as one line; null if none. */
export function missingCellHint(
  diagnostics: string,
  lastRun: (name: string) => { ok: boolean; error?: string } | undefined = () => undefined,
): string | null {
  const missing = new Set([...diagnostics.matchAll(/Cannot find (?:name|namespace) '([\w$]+)'/g)].map((m) => m[1]));
  if (missing.size === 0) return null;
  const first = DEFINING_CELLS.find((c) => c.names.some((n) => missing.has(n)));
  if (!first) return null;
  // the cells above did run, but this one's own cell failed (a type error, an exception): that is what to fix
  const failed = first.names.find((n) => missing.has(n) && lastRun(n)?.ok === false);
  if (failed) {
    return `→ \`${failed}\` is not defined: the last run of ${first.title} failed (${lastRun(failed)!.error ?? 'an error'}). Fix that cell, run it (no error), then this cell again.`;
  }
  const names = first.names
    .filter((n) => missing.has(n))
    .map((n) => `\`${n}\``)
    .join(', ');
  return `→ ${names} ${first.names.filter((n) => missing.has(n)).length > 1 ? 'are' : 'is'} defined in ${first.title}: run the cells above this one first, from the top (JupyterLab: Run > Run All Above Selected Cell; classic Notebook: Cell > Run All Above), then this cell again.`;
}
