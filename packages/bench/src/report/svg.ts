// Small standalone SVG charts for the report: grouped bars and lines (histograms are step lines).
// Every chart carries a provenance line (commit, seed, machine) under its plot.
import { escapeXml } from '@spiking-gan/gan';

/** A named series of values (bars: one per category; lines: one per x). */
export interface Series {
  name: string;
  values: number[];
}

/** What every chart shows besides its data. */
export interface ChartFrame {
  title: string;
  /** Provenance: which commit, seed and machine produced the figure. */
  provenance: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const n2 = (x: number) => String(Math.round(x * 100) / 100);

/** A readable number for an axis tick. */
export function tickLabel(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1e6) return `${n2(x / 1e6)}M`;
  if (a >= 1e4) return `${n2(x / 1e3)}k`;
  if (a >= 100) return String(Math.round(x));
  if (a >= 1) return n2(x);
  return String(Number(x.toPrecision(2)));
}

/** Round tick positions covering [lo, hi]. */
export function ticks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target,
    p = 10 ** Math.floor(Math.log10(raw)),
    m = raw / p;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

interface Plot {
  w: number;
  h: number;
  left: number;
  top: number;
  pw: number;
  ph: number;
  parts: string[];
}

function open(f: ChartFrame, legend: string[]): Plot {
  const w = f.width ?? 640,
    h = f.height ?? 340,
    left = 64,
    top = 34 + (legend.length > 0 ? 16 : 0);
  const parts = [`<text x="${w / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(f.title)}</text>`];
  let x = left;
  legend.forEach((name, k) => {
    parts.push(
      `<rect x="${x}" y="28" width="10" height="10" fill="${COLOURS[k % COLOURS.length]}"/>`,
      `<text x="${x + 14}" y="37">${escapeXml(name)}</text>`,
    );
    x += 24 + name.length * 6.5;
  });
  return { w, h, left, top, pw: w - left - 16, ph: h - top - 62, parts };
}

function yAxis(p: Plot, lo: number, hi: number, label: string): (v: number) => number {
  const y = (v: number) => p.top + p.ph - ((v - lo) / (hi - lo || 1)) * p.ph;
  for (const t of ticks(lo, hi)) {
    p.parts.push(
      `<line x1="${p.left}" x2="${p.left + p.pw}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="#e4e4e4"/>`,
      `<text x="${p.left - 6}" y="${n2(y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  p.parts.push(
    `<text transform="translate(14 ${p.top + p.ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(label)}</text>`,
  );
  return y;
}

function close(p: Plot, f: ChartFrame, xLabel: string): string {
  p.parts.push(`<line x1="${p.left}" x2="${p.left + p.pw}" y1="${p.top + p.ph}" y2="${p.top + p.ph}" stroke="#333"/>`);
  p.parts.push(
    `<text x="${p.left + p.pw / 2}" y="${p.top + p.ph + 34}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  );
  p.parts.push(`<text x="${p.left}" y="${p.h - 8}" fill="#777" font-size="10">${escapeXml(f.provenance)}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${p.w}" height="${p.h}" viewBox="0 0 ${p.w} ${p.h}" ` +
    `font-family="sans-serif" font-size="11" class="chart"><rect width="100%" height="100%" fill="#fff"/>` +
    `${p.parts.join('')}</svg>`
  );
}

function finite(xs: number[]): number[] {
  return xs.filter((x) => Number.isFinite(x));
}

/** Grouped bars: one group per category, one bar per series; values printed above the bars. */
export function barChart(f: ChartFrame, categories: string[], series: Series[]): string {
  for (const s of series)
    if (s.values.length !== categories.length)
      throw new RangeError(
        `barChart '${f.title}': series '${s.name}' has ${s.values.length} values for ${categories.length} categories`,
      );
  const p = open(f, series.length > 1 ? series.map((s) => s.name) : []);
  const all = finite(series.flatMap((s) => s.values));
  const hi = Math.max(1e-12, ...all) * 1.12,
    lo = Math.min(0, ...all);
  const y = yAxis(p, lo, hi, f.yLabel);
  const gw = p.pw / Math.max(1, categories.length),
    bw = (gw * 0.8) / Math.max(1, series.length);
  categories.forEach((c, i) => {
    series.forEach((s, k) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      const x = p.left + i * gw + gw * 0.1 + k * bw,
        y0 = y(Math.max(0, lo)),
        y1 = y(v);
      p.parts.push(
        `<rect x="${n2(x)}" y="${n2(Math.min(y0, y1))}" width="${n2(bw - 1)}" height="${n2(Math.abs(y0 - y1))}" ` +
          `fill="${COLOURS[k % COLOURS.length]}"><title>${escapeXml(`${s.name}, ${c}: ${v}`)}</title></rect>`,
      );
      p.parts.push(
        `<text x="${n2(x + bw / 2)}" y="${n2(Math.min(y0, y1) - 3)}" text-anchor="middle" font-size="9">` +
          `${tickLabel(v)}</text>`,
      );
    });
    p.parts.push(
      `<text x="${n2(p.left + i * gw + gw / 2)}" y="${p.top + p.ph + 16}" text-anchor="middle">${escapeXml(c)}</text>`,
    );
  });
  return close(p, f, '');
}

/** Lines over a numeric x axis (`logX` for sweeps over sizes); `step` draws histogram-like steps. */
export function lineChart(
  f: ChartFrame,
  x: number[],
  series: Series[],
  opts: { xLabel: string; logX?: boolean; step?: boolean },
): string {
  for (const s of series)
    if (s.values.length !== x.length)
      throw new RangeError(
        `lineChart '${f.title}': series '${s.name}' has ${s.values.length} values for ${x.length} x values`,
      );
  const p = open(
    f,
    series.map((s) => s.name),
  );
  const all = finite(series.flatMap((s) => s.values));
  const hi = Math.max(1e-12, ...all) * 1.08,
    lo = Math.min(0, ...all);
  const y = yAxis(p, lo, hi, f.yLabel);
  const tx = (v: number) => (opts.logX ? Math.log(v) : v);
  const x0 = tx(Math.min(...x)),
    x1 = tx(Math.max(...x));
  const X = (v: number) => p.left + ((tx(v) - x0) / (x1 - x0 || 1)) * p.pw;
  const xt = opts.logX || x.length <= 8 ? x : ticks(Math.min(...x), Math.max(...x), 8);
  for (const t of xt)
    p.parts.push(`<text x="${n2(X(t))}" y="${p.top + p.ph + 16}" text-anchor="middle">${tickLabel(t)}</text>`);
  series.forEach((s, k) => {
    const pts: string[] = [];
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      if (opts.step && pts.length > 0) pts.push(`${n2(X(x[i]))},${n2(y(s.values[i - 1] ?? v))}`);
      pts.push(`${n2(X(x[i]))},${n2(y(v))}`);
    });
    const c = COLOURS[k % COLOURS.length];
    p.parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.join(' ')}"/>`);
    if (!opts.step)
      s.values.forEach(
        (v, i) =>
          Number.isFinite(v) &&
          p.parts.push(
            `<circle cx="${n2(X(x[i]))}" cy="${n2(y(v))}" r="3" fill="${c}">` +
              `<title>${escapeXml(`${s.name}: ${tickLabel(x[i])} → ${v}`)}</title></circle>`,
          ),
      );
  });
  return close(p, f, opts.xLabel);
}
