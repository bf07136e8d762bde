// The sweep's table: every run ranked by FID (Markdown and JSON), the best runs' sample grids side by
// side, the recipes, and the runs that failed with their one-line reasons.
import type { SweepFile } from './sweep-file.ts';
import type { RunResult } from './run.ts';

/** A run that did not finish, and why. */
export interface FailedRun {
  name: string;
  error: string;
}

/** The table as JSON: the file, the ranked runs (best first), the failed runs. */
export interface SweepTable {
  file: string;
  planned: number;
  ranked: (RunResult & { rank: number; samples: string })[];
  failed: FailedRun[];
}

/** Ranks the results by FID (no FID last, then by name); `samplesOf` gives a run's grid path as linked. */
export function sweepTable(
  file: SweepFile,
  planned: number,
  results: RunResult[],
  failed: FailedRun[],
  samplesOf: (name: string) => string,
): SweepTable {
  const key = (r: RunResult) => r.figures.fid ?? Infinity;
  const byName = (a: RunResult, b: RunResult) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const sorted = [...results].sort((a, b) => key(a) - key(b) || byName(a, b));
  return {
    file: file.path,
    planned,
    ranked: sorted.map((r, i) => ({ ...r, rank: i + 1, samples: samplesOf(r.name) })),
    failed: [...failed].sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} %`);
const secs = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)} s`);

/** The table as Markdown, with the best `file.best` sample grids side by side. */
export function sweepMarkdown(file: SweepFile, t: SweepTable): string {
  const e = file.eval;
  const lines = [
    `# Sweep ${file.path}: ${t.ranked.length} of ${t.planned} runs judged` +
      `${t.failed.length ? `, ${t.failed.length} failed` : ''}`,
    '',
    `Ranked by FID against the MNIST test set in the judge's features (lower is better; the floor is what ` +
      `real digits score at the same count). Each run judged by spiking-gan eval on ${e.count} images, ` +
      `seed ${e.seed}; sample grids of ${file.train.samples} images, seed ${file.train.sampleSeed}.`,
    '',
    '| rank | run | recipe | seed | FID | FID floor | score | confident | imbalance | variety | steps | train | grid |',
    '|--:|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|',
    ...t.ranked.map(
      (r) =>
        `| ${[
          r.rank,
          r.name,
          r.spec.recipe,
          r.spec.seed,
          f(r.figures.fid),
          f(r.figures.fidFloor),
          f(r.figures.score),
          pct(r.figures.confident),
          f(r.figures.imbalance, 3),
          f(r.figures.variety, 3),
          r.train.steps ?? '-',
          secs(r.train.seconds),
          `[png](${r.samples})`,
        ].join(' | ')} |`,
    ),
  ];
  const best = t.ranked.slice(0, file.best);
  if (best.length) {
    lines.push(
      '',
      `## The best ${best.length} sample grid${best.length === 1 ? '' : 's'}`,
      '',
      `| ${best.map((r) => `${r.rank}. ${r.name} (FID ${f(r.figures.fid)})`).join(' | ')} |`,
      `|${best.map(() => ':-:').join('|')}|`,
      `| ${best.map((r) => `![${r.name}](${r.samples})`).join(' | ')} |`,
    );
  }
  lines.push('', '## Recipes', '', ...recipeLines(file));
  if (t.failed.length) {
    lines.push(
      '',
      '## Failed runs (redone by the next spiking-gan sweep of this file)',
      '',
      '| run | error |',
      '|:--|:--|',
      ...t.failed.map((x) => `| ${x.name} | ${x.error.replace(/\|/g, '\\|')} |`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function recipeLines(file: SweepFile): string[] {
  const json = (o: Record<string, unknown>) => (Object.keys(o).length ? JSON.stringify(o) : '{}');
  const lines = file.recipes.map(
    (r) =>
      `- ${r.name}: preset ${r.preset ?? file.preset ?? "(train's default)"}, ` +
      `settings ${json({ ...file.settings, ...r.settings })}`,
  );
  const grid = file.grid.map(([k, v]) => `${k} ∈ ${JSON.stringify(v)}`).join(', ');
  if (grid) lines.push(`- grid over every recipe: ${grid}`);
  lines.push(`- seeds: ${file.seeds.join(', ')}`);
  return lines;
}
