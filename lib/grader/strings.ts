// Every student-facing word of the self-check and the feedback, in Russian and English (the notebook is
// bilingual): the frame of the self-check table and of feedback.md / results.json, the check names, and
// the Russian of each diagnosis (the English stays with the diagnosis, lib/exercises/ and diagnoses.ts).
// The course's "language" (lib/course/config.ts) picks one. A new diagnosis or check needs its Russian
// here (test/grader/strings.test.ts). The measured details ("What happened") stay as the checks word them.
import { course } from '../course/config';
import type { DiagnosisInfo } from '../exercises';

export type Language = 'en' | 'ru';

export interface Ui {
  selfCheck: (fn: string, got: string, max: string) => string;
  note: string;
  tryThis: string;
  allPass: string;
  /** A check this self-check cannot decide (a trainDisc variant needs the instructor's reference). */
  decidedAtGrading: string;
  undecided: (n: number) => string;
  allShownPass: (hidden: number) => string;
  moreAtGrading: (hidden: number) => string;
  feedbackFor: string;
  score: string;
  status: Record<'complete' | 'incomplete' | 'unreadable' | 'too-large', string>;
  gradedCell: (n: number, via: string) => string;
  tableHeader: string;
  passed: string;
  passedVariant: string;
  failed: string;
  hiddenMark: string;
  whatFailed: string;
  whatHappened: string;
  notes: string;
  compileErrors: string;
  otherCells: string;
  printed: string;
  yourGrade: string;
  finalScore: string;
  late: (submitted: string, days: number, points: string) => string;
  overridden: (score: string, max: string, raw: string) => string;
  comment: string;
  visibleSummary: (status: string, got: string, max: string) => string;
  hiddenLater: (n: number) => string;
  /** The end-state runs (lib/grader/checks/end-state.ts): the table's caption, header and row labels, the verdicts. */
  /** `publicStarts` the self-check's fixed starts, `courseStarts` the course's private ones (grading only, else 0). */
  endStateCaption: (iterations: number, publicStarts: number, courseStarts: number) => string;
  /** A miss of one set of starts (first..last; the course's or the public ones) where there are two sets. */
  fromStarts: (first: number, last: number, course: boolean, misses: string) => string;
  /** After the self-check's verdict: grading runs these starts and the course's own. */
  graderAddsStarts: string;
  endStateHeader: string;
  endStateRow: (start: number, whose: 'yours' | 'reference') => string;
  endsWhere: (t: { mean: number; std: number; w1: number; dGap: number }) => string;
  endsElsewhere: (misses: string) => string;
  endStateMiss: (what: 'mean' | 'std' | 'w1' | 'dGap', by: string, max: string) => string;
  partnerHasMistake: (fn: string, mistake: string) => string;
  loopDidNotFinish: (iterations: number, why: string) => string;
  /** The self-check, before it runs the notebook's loop: why (a mistake that may not stop learning, or none), with what, how long. */
  endStateWhy: (mistake?: string) => string;
  endStatePartner: (other: string, whose: 'yours' | 'seminar') => string;
  endStateAnnounce: (
    fn: string,
    why: string,
    starts: number,
    iterations: number,
    partner: string,
    seconds: number,
  ) => string;
  endStateUndecided: (other: string) => string;
  endStateReused: (fn: string, why: string) => string;
  /** Said by the next cell after Kernel > Interrupt stopped a self-check that had moved the models. */
  selfCheckStopped: string;
}

const plural = (n: number, one: string, few: string, many: string) => {
  const m10 = n % 10;
  const m100 = n % 100;
  return m10 === 1 && m100 !== 11 ? one : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? few : many;
};

export const UI: Record<Language, Ui> = {
  en: {
    selfCheck: (fn, got, max) => `${fn} self-check: ${got}/${max} points`,
    note: 'note',
    tryThis: 'try',
    allPass: 'All checks pass. The auto-grader runs these same checks.',
    decidedAtGrading: 'decided at grading',
    undecided: (n) =>
      `${n} check${n === 1 ? '' : 's'} (?) cannot be decided here: the grader judges ${n === 1 ? 'it' : 'them'} by where the notebook's loop with your steps ends.`,
    allShownPass: (n) =>
      `All checks shown pass. The grader runs ${n} more check${n === 1 ? '' : 's'} you do not see here; their results show once grades are published.`,
    moreAtGrading: (n) =>
      `The grader runs ${n} more check${n === 1 ? '' : 's'} you do not see here; their results show once grades are published.`,
    feedbackFor: 'Feedback for',
    score: 'Score',
    status: {
      complete: 'complete',
      incomplete: 'incomplete',
      unreadable: 'unreadable',
      'too-large': 'too large to grade',
    },
    gradedCell: (n, via) => `Graded cell: #${n} (found by ${via}).`,
    tableHeader: '| check | points | result |',
    passed: 'passed',
    passedVariant: 'passed (variant, flagged)',
    failed: 'failed',
    hiddenMark: ' *(hidden: students see it once grades are published)*',
    whatFailed: 'What failed and why:',
    whatHappened: 'What happened',
    notes: 'Notes:',
    compileErrors: 'Compile errors, as tslab shows them (line:column within the cell):',
    otherCells: 'Your other cells',
    printed: 'Your code printed',
    yourGrade: 'Your grade',
    finalScore: 'Final score',
    late: (submitted, days, points) => `Submitted ${submitted}, ${days} day(s) late: −${points} points.`,
    overridden: (score, max, raw) => `Your instructor set the score to **${score} / ${max}** (the grader gave ${raw}).`,
    comment: "Instructor's comment",
    visibleSummary: (status, got, max) => `${status}: ${got}/${max} on the visible checks`,
    hiddenLater: (n) => `${n} more check${n === 1 ? '' : 's'} show${n === 1 ? 's' : ''} once grades are published.`,
    endStateCaption: (iterations, publicStarts, courseStarts) =>
      `The notebook's loop, ${iterations} iterations at batch 128, from ${publicStarts} fixed starts (the self-check's)${courseStarts > 0 ? ` and ${courseStarts} of the course's own` : ''} (yours | the reference's from the same start):`,
    fromStarts: (first, last, course, misses) =>
      `from ${course ? "the course's" : "the self-check's"} starts ${first}–${last}: ${misses}`,
    graderAddsStarts:
      "The grader runs the loop from these starts and from as many of the course's own: a step that ends elsewhere from either set does not pass there.",
    endStateHeader: '| run | mean | std | W1 | D(x) − D(G(z)) |',
    endStateRow: (start, whose) => `start ${start}: ${whose === 'yours' ? 'yours' : 'reference'}`,
    endsWhere: (t) =>
      `ends where the reference ends (on average over the starts: mean ±${t.mean}, std ±${t.std}, W1 +${t.w1}, D gap ±${t.dGap})`,
    endsElsewhere: (misses) => `does not end where the reference ends (on average over each set of starts): ${misses}`,
    endStateMiss: (what, by, max) =>
      ({
        mean: `mean off by ${by} (at most ${max})`,
        std: `std off by ${by} (at most ${max})`,
        w1: `W1 higher by ${by} (at most ${max})`,
        dGap: `D(x) − D(G(z)) off by ${by} (at most ${max})`,
      })[what],
    partnerHasMistake: (fn, mistake) =>
      `its training is judged in the notebook's loop, which also runs ${fn}, and ${fn} has its own mistake (${mistake}): fix that one and this step is judged by training`,
    loopDidNotFinish: (iterations, why) =>
      `the notebook's loop with your steps (${iterations} iterations, batch 128) did not finish: ${why}`,
    endStateWhy: (mistake) =>
      mistake
        ? `its mistake (${mistake}) does not by itself stop the GAN learning`
        : "your step is not the seminar's formulation",
    endStatePartner: (other, whose) =>
      whose === 'yours'
        ? `your ${other} as you last checked it`
        : `the seminar's ${other} (yours has not been checked yet)`,
    endStateAnnounce: (fn, why, starts, iterations, partner, seconds) =>
      `${fn}: ${why}, so whether it trains the GAN is decided as the grader decides it — by where the notebook's loop ends. ` +
      `Running it now: ${starts} × ${iterations} iterations at batch 128 from fixed starts, with ${partner}; about ${seconds} s ` +
      `(Kernel > Interrupt stops it, and your models keep their weights).`,
    endStateUndecided: (other) =>
      `whether it trains the GAN is decided by the notebook's loop, which also runs ${other}, and this self-check has no ${other} it can run: ` +
      `run the self-check of your ${other} (it must find no mistake), then this check again — else the grader decides it`,
    endStateReused: (fn, why) =>
      `${fn}: ${why}, so whether it trains the GAN is decided by where the notebook's loop ends: the runs of these same steps from an earlier check are reused.`,
    selfCheckStopped:
      "The self-check was stopped (Kernel > Interrupt): your models' weights are back as they were before it.",
  },
  ru: {
    selfCheck: (fn, got, max) => `${fn}, самопроверка: ${got}/${max} баллов`,
    note: 'заметка',
    tryThis: 'попробуйте',
    allPass: 'Все проверки пройдены. Автогрейдер запускает те же проверки.',
    decidedAtGrading: 'решит грейдер',
    undecided: (n) =>
      `${n} ${plural(n, 'проверку', 'проверки', 'проверок')} (?) здесь не решить: грейдер оценит шаг по тому, где заканчивается цикл обучения из ноутбука с вашими шагами.`,
    allShownPass: (n) =>
      `Все показанные проверки пройдены. Грейдер запустит ещё ${n} ${plural(n, 'проверку', 'проверки', 'проверок')}, которых здесь нет; их результаты появятся после публикации оценок.`,
    moreAtGrading: (n) =>
      `Грейдер запустит ещё ${n} ${plural(n, 'проверку', 'проверки', 'проверок')}, которых здесь нет; их результаты появятся после публикации оценок.`,
    feedbackFor: 'Отзыв для',
    score: 'Баллы',
    status: {
      complete: 'проверено полностью',
      incomplete: 'проверено не полностью',
      unreadable: 'файл не читается',
      'too-large': 'слишком большой для проверки',
    },
    gradedCell: (n, via) => `Проверенная ячейка: №${n} (найдена по: ${via}).`,
    tableHeader: '| проверка | баллы | результат |',
    passed: 'пройдена',
    passedVariant: 'пройдена (вариант, отмечен)',
    failed: 'не пройдена',
    hiddenMark: ' *(скрытая: видна после публикации оценок)*',
    whatFailed: 'Что не так и почему:',
    whatHappened: 'Что произошло',
    notes: 'Заметки:',
    compileErrors: 'Ошибки компиляции, как их показывает tslab (строка:столбец в ячейке):',
    otherCells: 'Другие ваши ячейки',
    printed: 'Что напечатал ваш код',
    yourGrade: 'Ваша оценка',
    finalScore: 'Итоговые баллы',
    late: (submitted, days, points) =>
      `Сдано ${submitted}, опоздание ${days} ${plural(days, 'день', 'дня', 'дней')}: −${points} баллов.`,
    overridden: (score, max, raw) => `Преподаватель выставил **${score} / ${max}** (грейдер дал ${raw}).`,
    comment: 'Комментарий преподавателя',
    visibleSummary: (status, got, max) => `${status}: ${got}/${max} за видимые проверки`,
    hiddenLater: (n) =>
      `Ещё ${n} ${plural(n, 'проверка появится', 'проверки появятся', 'проверок появятся')} после публикации оценок.`,
    endStateCaption: (iterations, publicStarts, courseStarts) =>
      `Цикл обучения из ноутбука, ${iterations} итераций с батчем 128, из ${publicStarts} ${plural(publicStarts, 'фиксированной стартовой точки', 'фиксированных стартовых точек', 'фиксированных стартовых точек')} (как в самопроверке)${courseStarts > 0 ? ` и ${courseStarts} ${plural(courseStarts, 'закрытой точки', 'закрытых точек', 'закрытых точек')} курса` : ''} (ваш запуск | эталон из той же точки):`,
    fromStarts: (first, last, course, misses) =>
      `из ${course ? 'закрытых точек курса' : 'точек самопроверки'} ${first}–${last}: ${misses}`,
    graderAddsStarts:
      'Грейдер запускает цикл из этих точек и из стольких же закрытых точек курса: шаг, который хоть из одного набора заканчивает не там, где эталон, там не проходит.',
    endStateHeader: '| запуск | среднее | СКО | W1 | D(x) − D(G(z)) |',
    endStateRow: (start, whose) => `точка ${start}: ${whose === 'yours' ? 'ваш' : 'эталон'}`,
    endsWhere: (t) =>
      `заканчивает там же, где эталон (в среднем по стартовым точкам: среднее ±${t.mean}, СКО ±${t.std}, W1 +${t.w1}, разрыв D ±${t.dGap})`,
    endsElsewhere: (misses) =>
      `заканчивает не там, где эталон (в среднем по каждому набору стартовых точек): ${misses}`,
    endStateMiss: (what, by, max) =>
      ({
        mean: `среднее отличается на ${by} (допустимо ${max})`,
        std: `СКО отличается на ${by} (допустимо ${max})`,
        w1: `W1 больше на ${by} (допустимо ${max})`,
        dGap: `D(x) − D(G(z)) отличается на ${by} (допустимо ${max})`,
      })[what],
    partnerHasMistake: (fn, mistake) =>
      `обучение оценивается циклом из ноутбука, который вызывает и ${fn}, а в ${fn} своя ошибка (${mistake}): исправьте её, и этот шаг будет оценён обучением`,
    loopDidNotFinish: (iterations, why) =>
      `цикл из ноутбука с вашими шагами (${iterations} итераций, батч 128) не завершился: ${why}`,
    endStateWhy: (mistake) =>
      mistake
        ? `его ошибка (${mistake}) сама по себе не останавливает обучение GAN`
        : 'ваш шаг — не формулировка семинара',
    endStatePartner: (other, whose) =>
      whose === 'yours'
        ? `вашим ${other} в том виде, в каком он проверялся последним`
        : `${other} из семинара (ваш ещё не проверялся)`,
    endStateAnnounce: (fn, why, starts, iterations, partner, seconds) =>
      `${fn}: ${why}, поэтому обучает ли он GAN, решается так же, как в грейдере, — по тому, где заканчивается цикл обучения из ноутбука. ` +
      `Запускаем: ${starts} × ${iterations} итераций с батчем 128 из фиксированных стартовых точек, вместе с ${partner}; примерно ${seconds} с ` +
      `(Kernel > Interrupt остановит запуск, веса моделей сохранятся).`,
    endStateUndecided: (other) =>
      `обучает ли шаг GAN, решает цикл из ноутбука, который вызывает и ${other}, а запустить здесь нечего: ` +
      `запустите самопроверку своего ${other} (она не должна находить ошибок), затем эту проверку снова — иначе это решит грейдер`,
    endStateReused: (fn, why) =>
      `${fn}: ${why}, поэтому обучает ли он GAN, решает то, где заканчивается цикл обучения из ноутбука: используются запуски тех же шагов из прошлой проверки.`,
    selfCheckStopped: 'Самопроверка остановлена (Kernel > Interrupt): веса моделей возвращены к тем, что были до неё.',
  },
};

/** The check names in Russian, by the check's id within its exercise (fn: the exercise's function). */
export const CHECK_NAMES_RU: Readonly<Record<string, (fn: string) => string>> = {
  runs: (fn) => `${fn} выполняется и возвращает значение функции потерь числом`,
  update: (fn) => `один шаг обновляет ${fn === 'trainDisc' ? 'дискриминатор' : 'генератор'} как эталон`,
  trains: () => 'шаг обучает GAN (нет ошибки, которая останавливает обучение)',
  'generator-untouched': () => 'генератор не меняется',
  'discriminator-untouched': () => 'дискриминатор не меняется',
  loss: () => 'возвращённое значение равно эталонной функции потерь',
  'no-leak': () => 'тензоры не утекают от вызова к вызову',
  samplers: () => 'данные берутся из sampleRealData / sampleNoise с batchSize',
};

type Texts = Pick<DiagnosisInfo, 'title' | 'advice' | 'hint'>;

/** Each diagnosis in Russian (the English is where the diagnosis is declared). */
export const DIAGNOSES_RU: Readonly<Record<string, Texts>> = {
  'sum-instead-of-mean': {
    title: 'функция потерь суммирует по батчу вместо усреднения',
    advice:
      'Семинар: «суммирование вместо усреднения по батчу» даёт победу дискриминатору. Здесь (ноутбук, «Что получается на самом деле») D(x) и D(G(z)) оба около 0, потери D скачут между 1000 и 20000, а генератор уходит к среднему около 20.',
    hint: 'Используйте tf.mean(...) по батчу, а не tf.sum(...): размер шага не должен расти с размером батча.',
  },
  'wrong-sign': {
    title: 'у функции потерь неверный знак (она максимизирует то, что должна минимизировать)',
    advice:
      'Семинар: «если выходы застряли на 0.5, а образцы всё ещё неверные, генератор победил дискриминатор: проверьте функцию потерь дискриминатора».',
    hint: 'optimizer.minimize минимизирует: функция потерь — МИНУС среднее логарифма вероятности, −mean(log p).',
  },
  'swapped-heads': {
    title: 'IS_REAL и IS_FAKE перепутаны',
    advice: 'Семинар: «0-й выход дискриминатора — is_fake, 1-й — is_real».',
    hint: 'В trainDisc реальные данные оцениваются столбцом IS_REAL, сгенерированные — IS_FAKE; в trainGen на сгенерированных данных нужен IS_REAL.',
  },
  'probabilities-not-log': {
    title: 'функция потерь берёт вероятности вместо их логарифмов',
    advice: 'Семинар: «Потери: −mean(log p(real | x) + log p(fake | G(z))), где log p = tf.logSoftmax от логитов».',
    hint: 'Используйте tf.logSoftmax(logits), а не tf.softmax(logits) (и не берите логарифм от softmax отдельно).',
  },
  'extra-optimizer-steps': {
    title: 'один вызов делает больше одного шага оптимизатора',
    advice:
      'Семинар: «обучает дискриминатор на один шаг» — цикл вызывает trainDisc 5 раз на шаг генератора; вызов с двумя шагами меняет этот баланс.',
    hint: 'Вызывайте optimizer.minimize(...) ровно один раз за вызов функции.',
  },
  'changes-optimizer': {
    title: 'шаг использует другой оптимизатор или меняет скорость обучения',
    advice:
      'Оптимизаторы и скорости обучения (генератор 1e-3, дискриминатор 1e-2) заданы в ячейке моделей; упражнение — сам шаг, а не оптимизатор.',
    hint: 'Делайте шаг через genOpt / discOpt своей модели, как их создала ячейка моделей; не создавайте tf.train.adam и не меняйте learningRate.',
  },
  'disc-step-updates-generator': {
    title: 'шаг дискриминатора меняет и генератор',
    advice:
      'Семинар: «varList в minimize содержит только переменные дискриминатора, так что генератор не меняется (detach в PyTorch)».',
    hint: 'Передайте disc.parameters() третьим аргументом (varList): discOpt.minimize(f, true, varList).',
  },
  'gen-step-updates-discriminator': {
    title: 'шаг генератора меняет и дискриминатор',
    advice: 'Семинар: «меняются только переменные генератора».',
    hint: 'Передайте gen.parameters() как varList: genOpt.minimize(f, true, varList).',
  },
  'saturating-generator-loss': {
    title: 'генератор минимизирует log(1 − D(G(z))) — насыщающуюся функцию потерь',
    advice:
      'Семинар: «минимизируйте −mean(log p(real | G(z))) (ненасыщающаяся функция потерь; log(1 − D(G(z))) быстро перестаёт давать градиент)».',
    hint: 'Возьмите столбец IS_REAL от tf.logSoftmax(disc(genData)) и минимизируйте минус его среднее.',
  },
  'not-implemented': {
    title: 'в упражнении ещё остались TODO(...)',
    advice: 'Семинар: «заполните trainDisc и trainGen (места TODO(...)), затем запустите цикл обучения».',
    hint: "Замените каждый TODO('…') в ячейке своим кодом.",
  },
  'compile-error': {
    title: 'ячейка не компилируется',
    advice: 'tslab проверяет типы каждой ячейки перед запуском; ниже — те же ошибки, что показал бы он.',
    hint: 'Исправьте первую ошибку (строка:столбец в ячейке) и запустите ячейку снова.',
  },
  'runtime-error': {
    title: 'шаг выбрасывает ошибку',
    advice: 'Запустите ячейку и проверку после неё в ноутбуке, чтобы увидеть ошибку со стеком.',
    hint: 'Проверьте формы тензоров: disc(x) даёт [batch, 2]; столбец j — это t.slice([0, j], [-1, 1]).',
  },
  timeout: {
    title: 'шаг не завершился вовремя',
    advice: 'Один шаг на батче из 128 занимает миллисекунды; шаг, который не возвращается, содержит бесконечный цикл.',
    hint: 'Уберите циклы из шага: один вызов trainDisc/trainGen — это один шаг оптимизатора.',
  },
  'memory-limit': {
    title: 'шаг занял слишком много памяти',
    advice: 'Каждый тензор, созданный в цикле, живёт внутри tf.tidy или освобождается.',
    hint: 'Не накапливайте тензоры или массивы между вызовами.',
  },
  'tensor-leak': {
    title: 'шаг теряет тензоры (утечка памяти)',
    advice:
      'Каждый тензор, созданный в шаге, должен жить внутри tf.tidy (шаблон ноутбука уже оборачивает шаг в tf.tidy).',
    hint: 'Создавайте тензоры только внутри tf.tidy(() => …); не берите выборки снаружи.',
  },
  'private-randomness': {
    title: 'шаг берёт свои случайные числа вместо сэмплеров семинара',
    advice:
      'Семинар: «sampleNoise: равномерный шум формы [batchSize, 1]; sampleRealData: нормальные данные, mu=5, std=1.5».',
    hint: 'Вызывайте sampleRealData(batchSize) и sampleNoise(batchSize) — не tf.randomUniform, Math.random или фиксированные числа.',
  },
  'ignores-batch-size': {
    title: 'шаг не использует свой аргумент batchSize',
    advice: 'Цикл обучения вызывает trainDisc(128); проверки вызывают его и с другими размерами батча.',
    hint: 'Передавайте аргумент batchSize в сэмплеры вместо фиксированного числа.',
  },
  'returns-non-number': {
    title: 'шаг не возвращает значение функции потерь числом',
    advice: 'Цикл обучения печатает discLoss.toFixed(3): нужно обычное число.',
    hint: 'Верните loss.dataSync()[0] из колбэка tf.tidy (как в шаблоне ноутбука).',
  },
  'missing-cell': {
    title: 'ячейки упражнения нет',
    advice: 'Грейдер находит ячейки по id nbgrader, по тегу или по функции, которую они определяют.',
    hint: 'Сдайте выданный ноутбук, сохранив ячейки упражнений (их код можно менять).',
  },
  'missing-function': {
    title: 'ячейка не определяет функцию упражнения',
    advice: 'Цикл обучения вызывает trainDisc(batchSize) и trainGen(batchSize).',
    hint: 'Сохраните имена и сигнатуры функций из ноутбука.',
  },
  'malformed-notebook': {
    title: 'файл не читается как ноутбук',
    advice: 'Сдайте файл .ipynb, сохранённый Jupyter.',
    hint: 'Скачайте ноутбук из Jupyter (File → Download) и сдайте этот файл.',
  },
  'too-large': {
    title: 'ноутбук слишком большой для проверки',
    advice:
      'Грейдер принимает ноутбуки до определённого размера (файл, ячейки кода, код) — намного больше семинарского; сообщение называет предел.',
    hint: 'Очистите выводы и удалите ненужные черновые ячейки, сохраните и сдайте снова.',
  },
  'wrong-loss-value': {
    title: 'возвращённое число — не та функция потерь, которую минимизирует шаг',
    advice: 'Цикл обучения печатает возвращённое значение; это должно быть значение, которое вернул minimize().',
    hint: 'Верните discLoss!.dataSync()[0] / genLoss!.dataSync()[0] — то, что вернул minimize.',
  },
  'wrong-update': {
    title: 'шаг меняет веса не так, как эталон, и не обучает GAN',
    advice: 'Семинар: «проверьте функцию потерь дискриминатора» / «проверьте функцию потерь генератора».',
    hint: 'Сравните свою функцию потерь с формулой из текста упражнения, слагаемое за слагаемым.',
  },
  'variant-not-accepted': {
    title: 'шаг обучает GAN, но не по формулировке семинара, которую требует курс',
    advice:
      'Преподаватель настроил курс принимать только функцию потерь семинара (настройка курса variants: "refuse").',
    hint: 'Запишите функцию потерь как в тексте упражнения: −mean(log p(real | x) + log p(fake | G(z))) для trainDisc, −mean(log p(real | G(z))) для trainGen.',
  },
  'unconfirmed-variant': {
    title: 'шаг отличается от эталона; только грейдер преподавателя может решить, допустимый ли это вариант',
    advice:
      'Масштабированная или переформулированная функция потерь может обучать GAN; чтобы это проверить, нужен эталонный генератор, которого нет в выданной папке.',
    hint: 'Если вы хотели функцию потерь семинара, сравните её с текстом упражнения; если выбрали вариант намеренно, грейдер проверит его коротким обучением.',
  },
  'grader-error': {
    title: 'грейдер не смог выполнить эту проверку (это не ваша ошибка)',
    advice: 'Сообщите преподавателю; сообщение ниже ему поможет.',
    hint: '',
  },
  'incomplete-observation': {
    title: 'грейдер не смог пронаблюдать все шаги, нужные проверкам',
    advice:
      'Каждая проверка сравнивает все шаги, на которые смотрит; с меньшим числом наблюдений проверка не засчитывается.',
    hint: 'Убедитесь, что шаг каждый раз возвращается нормально; если да — сообщите преподавателю.',
  },
};

/** Exercise-specific Russian advice (where the shared text describes another step), by exercise id and diagnosis. */
export const ADVICE_RU: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  train_gen: {
    'sum-instead-of-mean':
      'В trainGen сумма делает каждый шаг генератора в batchSize раз больше (в ноутбуке в 128 раз): обучение может и сойтись, но размер шага тогда зависит от размера батча, а функция потерь семинара — среднее.',
    'wrong-sign':
      'Семинар: «выходы долго около 0.5, а образцы неверные — генератор победил»; с перевёрнутым знаком генератор уходит от того, что дискриминатор считает настоящим.',
  },
};

/** The language the course chose. */
export function language(): Language {
  return course().language ?? 'en';
}

export function ui(lang: Language = language()): Ui {
  return UI[lang];
}

/** True for a check's message that shows where the end-state runs ended (their table: lib/grader/checks/end-state.ts). */
export function showsEndStates(message: string | undefined): boolean {
  return Object.values(UI).some((u) => message?.includes(u.endStateHeader) === true);
}

/** A diagnosis's title, advice (the exercise's own where it has one) and hint in `lang`; `english` is the declared text. */
export function diagnosisTexts(
  id: string,
  english: Texts | undefined,
  englishAdvice: string | undefined,
  exerciseId?: string,
  lang: Language = language(),
): Partial<Texts> {
  if (lang === 'en') return { title: english?.title, advice: englishAdvice, hint: english?.hint };
  const ru = DIAGNOSES_RU[id];
  return {
    title: ru?.title ?? english?.title,
    advice: (exerciseId && ADVICE_RU[exerciseId]?.[id]) ?? ru?.advice ?? englishAdvice,
    hint: ru?.hint ?? english?.hint,
  };
}

/** A check's name in `lang` (English: as the check declares it). */
export function checkName(shortId: string, fn: string, english: string, lang: Language = language()): string {
  return lang === 'ru' ? (CHECK_NAMES_RU[shortId]?.(fn) ?? english) : english;
}
