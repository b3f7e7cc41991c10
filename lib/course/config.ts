// The course configuration: one file the instructor edits (lib/course/course.json, or the file given by
// `--course`), read by `grade`, `release`, `autograder`, `check` and the notebook's self-check alike.
// Typed, with a description per key (otter-grader style); a file that breaks the schema fails with the
// key named (check ids are checked against the checks by lib/grader/checks/checks.ts, which applies the course).
// `gan-seminar course` prints every key with its description and value.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { EXERCISES } from '../exercises';
import { ROOT } from '../paths';

/** What a step that trains the GAN by another formulation than the seminar's gets. */
export type VariantPolicy = 'accept' | 'accept-and-flag' | 'refuse';

export interface LatePolicy {
  /** ISO 8601 deadline ("2026-12-20T23:59:00+03:00"); null: no late penalty. */
  deadline: string | null;
  graceMinutes: number;
  /** Share of the maximum score taken per started day late. */
  perDay: number;
  /** The largest share taken. */
  max: number;
}

export interface Course {
  exercises: Record<string, { points: number }>;
  weights: Record<string, number>;
  hidden: string[];
  variants: VariantPolicy;
  late: LatePolicy;
  /** The students' language: the self-check and feedback texts (lib/grader/strings.ts). */
  language?: 'en' | 'ru';
}

/** The keys, each with its description: the schema the file is validated against and `gan-seminar course` prints. */
export const COURSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['exercises', 'weights', 'hidden', 'variants', 'late'],
  properties: {
    $schema: { type: 'string', description: 'Ignored (for editors).' },
    exercises: {
      description:
        "Points per exercise, by exercise id (train_disc, train_gen). An exercise's checks share its points by their weights.",
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        EXERCISES.map((ex) => [
          ex.id,
          {
            type: 'object',
            additionalProperties: false,
            required: ['points'],
            properties: { points: { type: 'number', minimum: 0 } },
          },
        ]),
      ),
    },
    weights: {
      description:
        'Weight of a check within its exercise, by full check id ("train_disc.update") or by the check\'s id in every exercise ("update"). ' +
        'Unlisted checks keep their severity-weighted default (lib/grader/checks/check-definitions.ts: a mistake that stops the GAN learning costs most of the exercise). 0 makes a check worth nothing.',
      type: 'object',
      additionalProperties: { type: 'number', minimum: 0 },
    },
    hidden: {
      description:
        'Check ids hidden from students until grades are published: left out of the self-check (which says more checks run at grading), "after_published" in Gradescope, marked in feedback.md.',
      type: 'array',
      items: { type: 'string' },
      uniqueItems: true,
    },
    variants: {
      description:
        'A step that matches no known formulation but trains the GAN (a loss × 0.5, BCE on one head): "accept" gives full credit with a note; ' +
        '"accept-and-flag" also flags the row (grades.csv column "variant") for a look; "refuse" fails it as variant-not-accepted. Another optimizer or learning rate is never a variant (changes-optimizer).',
      enum: ['accept', 'accept-and-flag', 'refuse'],
    },
    language: {
      description:
        'The language of the self-check and of the students\' feedback (feedback.md, Gradescope): "en" or "ru" (the notebook has both).',
      enum: ['en', 'ru'],
    },
    late: {
      description:
        'Late penalty, applied by `grade --times FILE` (a CSV of student,submitted_at): the share of the maximum score taken per started day after deadline + grace, up to max.',
      type: 'object',
      additionalProperties: false,
      required: ['deadline', 'graceMinutes', 'perDay', 'max'],
      properties: {
        deadline: {
          description: 'ISO 8601 date-time with its offset, or null for no penalty.',
          type: ['string', 'null'],
          format: 'date-time',
        },
        graceMinutes: {
          description: 'Minutes after the deadline that still count as on time.',
          type: 'number',
          minimum: 0,
        },
        perDay: {
          description: 'Share (0–1) of the maximum score taken per started day late.',
          type: 'number',
          minimum: 0,
          maximum: 1,
        },
        max: { description: 'Largest share (0–1) a late penalty takes.', type: 'number', minimum: 0, maximum: 1 },
      },
    },
  },
} as const;

/** Where the course file lives: the repository's (or a release's) lib/course/course.json. */
export const COURSE_IN_PACKAGE = 'lib/course/course.json';
export const COURSE_FILE = path.join(ROOT, COURSE_IN_PACKAGE);

const validate = new Ajv({
  allErrors: false,
  formats: { 'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /T/.test(s) },
}).compile(COURSE_SCHEMA);

/** The course in `json`, validated: every problem names its key and what to do. */
export function parseCourse(json: unknown, where = 'course configuration'): Course {
  if (!validate(json)) {
    const e = validate.errors![0];
    const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
    const extra =
      e.params && 'additionalProperty' in e.params
        ? ` "${String(e.params.additionalProperty)}"`
        : e.params && 'allowedValues' in e.params
          ? ` ${JSON.stringify(e.params.allowedValues)}`
          : '';
    throw new Error(`${where}: ${key} ${e.message}${extra} (run \`gan-seminar course\` for every key and its meaning)`);
  }
  const course = json as Course;
  for (const ex of EXERCISES) if (!course.exercises[ex.id]) course.exercises[ex.id] = { points: 10 };
  course.language ??= 'en';
  return course;
}

export function readCourse(file = COURSE_FILE): Course {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`course configuration ${file}: ${(err as Error).message}`);
  }
  return parseCourse(json, file);
}

let chosen: { file: string; course: Course } | undefined;

/** The course in use: the one `useCourse` chose, else lib/course/course.json. */
export function course(): Course {
  if (!chosen) chosen = { file: COURSE_FILE, course: readCourse(COURSE_FILE) };
  return chosen.course;
}

/** The course file in use. */
export function courseFile(): string {
  course();
  return chosen!.file;
}

/** Use the course in `file` (a CLI's `--course`), or a course object (tests, the autograder's baked copy). */
export function useCourse(source: string | Course | undefined): Course {
  if (source === undefined) chosen = undefined;
  else if (typeof source === 'string') chosen = { file: path.resolve(source), course: readCourse(source) };
  else chosen = { file: '(given)', course: parseCourse(JSON.parse(JSON.stringify(source)), 'course') };
  return course();
}

/** A course with some keys changed (tests, tools): validated like a file. */
export function courseWith(changes: Partial<Course>): Course {
  return parseCourse({ ...JSON.parse(JSON.stringify(course())), ...changes });
}
