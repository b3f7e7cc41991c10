// Student-facing text in Russian and English from one module (lib/grader/strings.ts): every diagnosis
// and check has its Russian, and a course with "language": "ru" gets a Russian self-check and feedback.
import { expect } from 'chai';
import { courseWith, useCourse } from '../../lib/course/config';
import { CHECK_DEFINITIONS } from '../../lib/grader/checks/check-definitions';
import { EXERCISES } from '../../lib/exercises';
import { configureChecks } from '../../lib/grader/checks/checks';
import { DIAGNOSES } from '../../lib/grader/diagnoses';
import { feedbackOf, gradescopeOf } from '../../lib/grader/pipeline/report';
import type { GradeResult } from '../../lib/grader/result';
import { formatSelfCheck } from '../../lib/grader/self-check/self-check';
import { ADVICE_RU, CHECK_NAMES_RU, DIAGNOSES_RU, UI, ui } from '../../lib/grader/strings';
import { endStateBehaviour } from '../../lib/grader/checks/end-state';
import { buildPlans } from '../../lib/grader/checks/states';
import { createSeminar, disposeSeminar } from '../../lib/seminar/models';
import { initGraderBackend } from '../../lib/tfjs/backend';

describe('student-facing strings, Russian and English (lib/grader/strings.ts)', () => {
  afterEach(() => useCourse(undefined));

  it('every diagnosis, every check and every text of the frame has both languages', () => {
    expect(Object.keys(DIAGNOSES).filter((id) => !DIAGNOSES_RU[id]?.title || !DIAGNOSES_RU[id]?.advice)).to.deep.equal(
      [],
    );
    expect(
      Object.keys(DIAGNOSES_RU).filter((id) => !DIAGNOSES[id]),
      'Russian for no diagnosis',
    ).to.deep.equal([]);
    const ids = EXERCISES.flatMap((ex) => CHECK_DEFINITIONS.map((def) => def.id(ex)));
    expect(ids.filter((id) => !CHECK_NAMES_RU[id])).to.deep.equal([]);
    expect(Object.keys(UI.ru).sort()).to.deep.equal(Object.keys(UI.en).sort());
    for (const [ex, advice] of Object.entries(ADVICE_RU)) {
      const own = EXERCISES.find((e) => e.id === ex)?.advice ?? {};
      expect(Object.keys(advice).sort(), `${ex}: Russian for each of its own advice`).to.deep.equal(
        Object.keys(own).sort(),
      );
    }
  });

  it('a Russian course: the self-check table, feedback.md and the Gradescope output read in Russian', () => {
    useCourse(courseWith({ language: 'ru', hidden: ['train_disc.no-leak'] }));
    const checks = configureChecks().filter((c) => c.exercise === 'train_disc');
    const results = checks.map((c) => ({
      ...c,
      maxPoints: c.points,
      points: c.id === 'train_disc.update' ? 0 : c.points,
      passed: c.id !== 'train_disc.update',
      diagnosis: c.id === 'train_disc.update' ? 'sum-instead-of-mean' : undefined,
      message: "the loss returned was 12.8 where the reference's is 0.1",
    }));
    const table = formatSelfCheck(
      'train_disc',
      results.filter((r) => !r.hidden),
      1,
    );
    expect(table)
      .to.contain('trainDisc, самопроверка:')
      .and.contain('функция потерь суммирует по батчу')
      .and.contain('попробуйте: Используйте tf.mean')
      .and.contain('Грейдер запустит ещё 1 проверку');
    expect(table).to.contain('один шаг обновляет дискриминатор как эталон');
    const r = {
      student: 'Иванов Пётр',
      file: 'x.ipynb',
      score: 7.5,
      maxScore: 10,
      status: 'complete',
      diagnoses: ['sum-instead-of-mean'],
      checks: results,
      cells: {},
      output: '',
      isolation: [],
    } as unknown as GradeResult;
    const md = feedbackOf(r);
    expect(md)
      .to.contain('# Отзыв для Иванов Пётр')
      .and.contain('**Баллы: 7.5 / 10** (проверено полностью)')
      .and.contain('Что не так и почему:')
      .and.contain('*(скрытая: видна после публикации оценок)*');
    expect(md).to.contain('дискриминатору').and.not.contain('What happened');
    const gs = gradescopeOf(r) as { output: string };
    expect(gs.output).to.contain('за видимые проверки').and.contain('Ещё 1 проверка появится после публикации оценок');
  });

  it("trainGen's sum gets trainGen's advice (it converges there), trainDisc's the seminar's", () => {
    const fb = (ex: string) =>
      feedbackOf({
        student: 's',
        file: 'x',
        score: 0,
        maxScore: 10,
        status: 'complete',
        diagnoses: ['sum-instead-of-mean'],
        cells: {},
        output: '',
        isolation: [],
        checks: [
          {
            id: `${ex}.update`,
            name: 'u',
            points: 0,
            maxPoints: 10,
            hidden: false,
            passed: false,
            diagnosis: 'sum-instead-of-mean',
            message: 'm',
          },
        ],
      } as unknown as GradeResult);
    expect(fb('train_gen')).to.contain('In trainGen a sum').and.not.contain('mean of about 20');
    expect(fb('train_disc')).to.contain('mean of about 20');
  });

  it('where the end-state runs judged "trains", the self-check shows where the loop ended, even when its mistake was explained above', () => {
    const checks = configureChecks().filter((c) => c.exercise === 'train_gen');
    const ends =
      "it does not train the GAN: does not end where the reference ends (…): from the self-check's starts 1–2: std off by 0.24 (at most 0.2).\n\nThe notebook's loop, …\n\n| run | mean | std | W1 | D(x) − D(G(z)) |\n|---|---|---|---|---|\n| start 1: yours | 4.93 | 1.91 | 0.487 | -0.01 |\n";
    const failed = ['train_gen.update', 'train_gen.trains'];
    const results = checks.map((c) => ({
      ...c,
      maxPoints: c.points,
      points: failed.includes(c.id) ? 0 : c.points,
      passed: !failed.includes(c.id),
      diagnosis: failed.includes(c.id) ? ('changes-optimizer' as const) : undefined,
      message: c.id === 'train_gen.trains' ? ends : 'genOpt made no update',
    }));
    const table = formatSelfCheck('train_gen', results, 0);
    expect(table.match(/the step uses another optimizer/g), 'the mistake explained once').to.have.length(1);
    expect(table)
      .to.contain(
        "      it does not train the GAN: does not end where the reference ends (…): from the self-check's starts 1–2",
      )
      .and.contain('      | start 1: yours | 4.93 | 1.91 | 0.487 | -0.01 |');
  });

  it('a check the self-check cannot decide (a trainDisc variant in a student release) shows ?, counting neither way', () => {
    const checks = configureChecks().filter((c) => c.exercise === 'train_disc');
    const results = checks.map((c) => ({
      ...c,
      maxPoints: c.points,
      points: c.id === 'train_disc.trains' ? 0 : c.points,
      passed: c.id !== 'train_disc.trains',
      diagnosis: c.id === 'train_disc.trains' ? 'unconfirmed-variant' : undefined,
      message: 'm',
    }));
    const table = formatSelfCheck('train_disc', results, 0);
    expect(table)
      .to.contain('trainDisc self-check: 6/6 points')
      .and.contain('?/4  decided at grading')
      .and.contain('1 check (?) cannot be decided here');
    expect(table).to.not.contain('All checks pass');
  });

  it("the end-state runs' table and verdicts, and the self-check's word before them, read in Russian in a Russian course", async () => {
    await initGraderBackend(); // the grader's backend: the reference's ends are cached per backend
    useCourse(courseWith({ language: 'ru' }));
    const s = createSeminar({ seed: 3 });
    try {
      const plan = buildPlans(s).train_gen;
      // ends where the models start (untrained): far from the reference's ends
      const runs = plan.endStates.map((st) => ({ gen: st.gen, disc: st.disc }));
      const far = endStateBehaviour(s, plan, { steps: plan.endStateIterations, runs });
      expect(far.accepted).to.equal(false);
      expect(far.message)
        .to.contain('заканчивает не там, где эталон')
        .and.contain('среднее отличается на')
        .and.contain('Цикл обучения из ноутбука, 16000 итераций с батчем 128, из 2 фиксированных стартовых точек')
        .and.contain('| запуск | среднее | СКО | W1 | D(x) − D(G(z)) |')
        .and.contain('| точка 1: ваш |')
        .and.contain('| точка 2: эталон |');
      expect(far.message).to.not.match(/ends where|the reference|start 1/);
      const partner = endStateBehaviour(s, plan, undefined, { functionName: 'trainDisc', mistake: 'wrong-sign' });
      expect(partner.message).to.contain('а в trainDisc своя ошибка (wrong-sign)');
      const cut = endStateBehaviour(s, plan, { steps: 0, runs: [], failure: { kind: 'timeout', message: 'x' } });
      expect(cut.message).to.contain('не завершился');
      const t = ui();
      const said = t.endStateAnnounce(
        'trainGen',
        t.endStateWhy('changes-optimizer'),
        2,
        16000,
        t.endStatePartner('trainDisc', 'yours'),
        60,
      );
      expect(said)
        .to.contain('его ошибка (changes-optimizer)')
        .and.contain('2 × 16000 итераций')
        .and.contain('примерно 60 с');
      expect(t.endStateUndecided('trainGen')).to.contain('самопроверку своего trainGen');
    } finally {
      disposeSeminar(s);
    }
  });
});
