// Spike rasters as standalone SVG: one band per population, one tiny square per spike.

/** One population: times[i] is the spike time of neuron i; times >= tmax (or Infinity, NaN) mean silent. */
export interface RasterPop {
  name: string;
  times: ArrayLike<number>;
}

/** Raster options: time range 0..tmax, optional title, total width in px, neurons drawn per population. */
export interface RasterOptions {
  tmax: number;
  title?: string;
  width?: number;
  /** Draw only the first this-many neurons of each population (default: all). Spike counts still cover all. */
  maxNeuronsPerPop?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 11;
const GAP = 8;
const MIN_BAND = 30;

/** Escape text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

const num = (x: number): string => String(Math.round(x * 100) / 100);

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Render a spike raster (x = time 0..tmax, y = neuron index, populations stacked) as an SVG string. */
export function rasterSvg(pops: RasterPop[], opts: RasterOptions): string {
  const { tmax, title } = opts;
  if (!(Number.isFinite(tmax) && tmax > 0))
    throw new RangeError(`rasterSvg: tmax must be a positive finite number, got ${tmax}`);
  const maxShown = opts.maxNeuronsPerPop ?? Infinity;
  if (!(maxShown >= 1)) throw new RangeError(`rasterSvg: maxNeuronsPerPop must be >= 1, got ${maxShown}`);

  const info = pops.map((p) => {
    const shown = Math.min(p.times.length, Math.floor(maxShown));
    let spikes = 0;
    for (let i = 0; i < p.times.length; i++) if (p.times[i] >= 0 && p.times[i] < tmax) spikes++;
    const line1 = `${p.name}: ${spikes} spike${spikes === 1 ? '' : 's'}`;
    const line2 =
      shown < p.times.length
        ? `neurons 0-${shown - 1} of ${p.times.length}`
        : `${shown} neuron${shown === 1 ? '' : 's'}`;
    return { p, shown, line1, line2 };
  });
  const longest = Math.max(0, ...info.map((x) => Math.max(x.line1.length, x.line2.length)));
  const left = Math.max(70, Math.ceil(longest * FONT * 0.62) + 16);
  const width = Math.max(opts.width ?? 800, left + 120);
  const plotW = width - left - 16;
  const top = title ? 30 : 10;
  const totalShown = info.reduce((s, x) => s + x.shown, 0);
  const rowH = Math.min(10, Math.max(1, 400 / Math.max(1, totalShown)));
  const xOf = (t: number): number => left + (t / tmax) * plotW;

  const out: string[] = [];
  let y = top;
  info.forEach(({ p, shown }, k) => {
    const band = Math.max(MIN_BAND, shown * rowH);
    const h = shown > 0 ? band / shown : 0;
    const d = Math.min(4, Math.max(1.5, h));
    const colour = COLOURS[k % COLOURS.length];
    const marks: string[] = [];
    for (let i = 0; i < shown; i++) {
      const t = p.times[i];
      if (!(t >= 0 && t < tmax)) continue;
      marks.push(`M${num(xOf(t) - d / 2)} ${num(y + (i + 0.5) * h - d / 2)}h${num(d)}v${num(d)}h${num(-d)}z`);
    }
    const cy = y + band / 2;
    out.push(`<rect x="${left}" y="${num(y)}" width="${num(plotW)}" height="${num(band)}" fill="#f4f4f4"/>`);
    out.push(
      `<text x="${left - 8}" y="${num(cy - 2)}" text-anchor="end" fill="${colour}">${escapeXml(info[k].line1)}</text>`,
    );
    out.push(
      `<text x="${left - 8}" y="${num(cy + FONT)}" text-anchor="end" fill="#666">${escapeXml(info[k].line2)}</text>`,
    );
    if (marks.length > 0) out.push(`<path fill="${colour}" shape-rendering="crispEdges" d="${marks.join('')}"/>`);
    y += band + GAP;
  });

  const axisY = y;
  out.push(`<path stroke="#000" fill="none" d="M${left} ${num(axisY)}h${num(plotW)}"/>`);
  const step = niceStep(tmax, 8);
  for (let j = 0; j * step <= tmax * (1 + 1e-9); j++) {
    const t = j * step;
    const x = num(xOf(t));
    out.push(`<path stroke="#000" d="M${x} ${num(axisY)}v4"/>`);
    out.push(`<text x="${x}" y="${num(axisY + 6 + FONT)}" text-anchor="middle">${Number(t.toPrecision(6))}</text>`);
  }
  out.push(
    `<text x="${num(left + plotW / 2)}" y="${num(axisY + 12 + 2 * FONT)}" text-anchor="middle">time (steps)</text>`,
  );
  const height = Math.ceil(axisY + 20 + 2 * FONT);
  if (title)
    out.unshift(
      `<text x="${num(width / 2)}" y="20" text-anchor="middle" font-size="${FONT + 3}" font-weight="bold">` +
        `${escapeXml(title)}</text>`,
    );

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
