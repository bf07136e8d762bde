// Opens a report's index.html in a real headless browser (Debian's chromium through playwright-core)
// and checks that it loads with no console error and that every chart and sample grid renders.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian installs chromium; override with $CHROMIUM_PATH. */
export function chromiumPath(): string | null {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/** What the browser saw. */
export interface BrowserCheck {
  browser: string;
  consoleErrors: string[];
  pageErrors: string[];
  /** One entry per chart (inline SVG) and per sample grid (img). */
  charts: { id: string; width: number; height: number; elements: number; rendered: boolean }[];
  images: { alt: string; naturalWidth: number; rendered: boolean }[];
  ok: boolean;
}

/** Loads `htmlPath` from disk in headless chromium and inspects it. */
export async function checkReportInBrowser(htmlPath: string, executablePath = chromiumPath()): Promise<BrowserCheck> {
  if (!executablePath) throw new Error("chromium not found (install Debian's chromium, or set CHROMIUM_PATH)");
  if (!existsSync(htmlPath)) throw new Error(`no report at ${htmlPath}`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [],
      pageErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart-figure', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const elements = svg ? svg.querySelectorAll('rect,path,polyline,circle,line').length : 0;
        return {
          id: f.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          elements,
          rendered: !!box && box.width > 0 && box.height > 0 && elements > 1,
        };
      }),
    );
    const images = await page.$$eval('img', (imgs) =>
      imgs.map((i) => ({ alt: i.alt, naturalWidth: i.naturalWidth, rendered: i.complete && i.naturalWidth > 0 })),
    );
    const version = browser.version();
    const ok =
      consoleErrors.length === 0 &&
      pageErrors.length === 0 &&
      charts.length > 0 &&
      charts.every((c) => c.rendered) &&
      images.every((i) => i.rendered);
    return { browser: `chromium ${version}`, consoleErrors, pageErrors, charts, images, ok };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const html = process.argv[2] ?? 'reports/full/index.html';
  const exe = chromiumPath();
  if (!exe) {
    console.log(
      `check skipped: no chromium at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} ` +
        '(apt-get install chromium, or set CHROMIUM_PATH)',
    );
    return;
  }
  const r = await checkReportInBrowser(html, exe);
  const charts = `${r.charts.filter((c) => c.rendered).length}/${r.charts.length} charts`,
    images = `${r.images.filter((i) => i.rendered).length}/${r.images.length} images`,
    errors = r.consoleErrors.length + r.pageErrors.length;
  console.log(`${r.browser}: ${html}: ${charts} and ${images} rendered, ${errors} console errors`);
  for (const e of [...r.consoleErrors, ...r.pageErrors]) console.log(`  error: ${e}`);
  for (const c of r.charts) if (!c.rendered) console.log(`  not rendered: ${c.id}`);
  if (!r.ok) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`check-report: ${(e as Error).message}`);
    process.exit(1);
  });
}
