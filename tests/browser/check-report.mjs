// Opens a proplint HTML report in Chromium, as a board member would, and fails when:
// the page logs an error, throws, opens a dialog or asks the network for anything; a
// script from a proposal ran; the stylesheet was refused by the page's own policy; the
// structure lacks a landmark or skips a heading level; axe-core finds any WCAG 2.2 A or AA
// violation (screen and print media).
//
// usage: node tests/browser/check-report.mjs REPORT.html [--screenshot FILE.png]
// CHROMIUM names the browser binary (default /usr/bin/chromium, Debian's package).

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const shotAt = args.indexOf('--screenshot');
const screenshot = shotAt >= 0 ? args.splice(shotAt, 2)[1] : null;
if (args.length !== 1 || (shotAt >= 0 && !screenshot)) {
  console.error('usage: node check-report.mjs REPORT.html [--screenshot FILE.png]');
  process.exit(2);
}
const report = path.resolve(args[0]);
if (!fs.existsSync(report)) {
  console.error(`no report at ${report}`);
  process.exit(2);
}
const url = pathToFileURL(report).href;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const problems = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-quic', '--disable-sync'],
});

/** A page that records everything a self-contained, script-free report must never do. */
async function watchedPage(context, label) {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${label}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`${label}: a ${d.type()} dialog opened: ${d.message()}`);
    await d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`${label}: unexpected request: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`${label}: request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return page;
}

try {
  // 1. As a reader opens it: the page's own policy applies.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, javaScriptEnabled: true });
  const page = await watchedPage(context, 'screen');
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || !response.ok()) problems.push(`could not open ${url}`);
  const facts = await page.evaluate(() => {
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
    const skips = [];
    headings.forEach((level, i) => {
      if (i > 0 && level > headings[i - 1] + 1) skips.push(`h${headings[i - 1]} then h${level}`);
    });
    return {
      pwned: typeof window.__pwned,
      scripts: document.scripts.length,
      lang: document.documentElement.lang,
      title: document.title,
      h1: document.querySelectorAll('h1').length,
      firstHeading: headings[0],
      skips,
      landmarks: ['header', 'nav', 'main', 'footer'].filter((t) => document.querySelectorAll(t).length !== 1),
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
      // The stylesheet applied (its hash matched the policy): the masthead is dark.
      styled: getComputedStyle(document.querySelector('.masthead')).backgroundColor,
      proposals: document.querySelectorAll('section.proposal').length,
      breakBefore: getComputedStyle(document.querySelector('section.proposal') ?? document.body).breakBefore,
      external: [...document.querySelectorAll('[src], [href], link, iframe, object, embed, img')]
        .map((e) => e.getAttribute('src') ?? e.getAttribute('href') ?? e.tagName)
        .filter((v) => !v.startsWith('#')),
    };
  });
  if (facts.pwned !== 'undefined') problems.push('a script from a proposal ran (window.__pwned is set)');
  if (facts.scripts !== 0) problems.push(`the report has ${facts.scripts} script element(s)`);
  if (facts.lang !== 'en-GB') problems.push(`lang is "${facts.lang}"`);
  if (!facts.title) problems.push('no title');
  if (facts.h1 !== 1 || facts.firstHeading !== 1) problems.push(`expected one h1 first, got ${facts.h1}`);
  if (facts.skips.length) problems.push(`heading levels skipped: ${[...new Set(facts.skips)].join(', ')}`);
  if (facts.landmarks.length) problems.push(`not exactly one of: ${facts.landmarks.join(', ')}`);
  if (!facts.csp.includes("default-src 'none'")) problems.push(`weak or missing policy: ${facts.csp}`);
  if (facts.styled !== 'rgb(11, 12, 12)') problems.push(`stylesheet not applied (masthead ${facts.styled})`);
  if (facts.external.length) problems.push(`links or sources leaving the page: ${facts.external.join(', ')}`);
  if (screenshot) {
    // The masthead, contents and the top of the overview table.
    await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1760 } });
    console.log(`screenshot: ${screenshot}`);
  }
  // Keyboard: the skip link is the first stop and moves focus to main.
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.textContent);
  if (first !== 'Skip to main content') problems.push(`first Tab stop is "${first}"`);
  // Print: still loads, each proposal starts a page.
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({
    masthead: getComputedStyle(document.querySelector('.masthead')).backgroundColor,
    breakBefore: getComputedStyle(document.querySelector('section.proposal') ?? document.body).breakBefore,
  }));
  if (facts.proposals > 0 && printed.breakBefore !== 'page') problems.push(`print: proposals do not start a page (${printed.breakBefore})`);
  const pdf = await page.pdf({ format: 'A4' }).catch((e) => problems.push(`print: no PDF: ${e.message}`));
  const pages = pdf ? (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length : 0;
  await context.close();

  // 2. axe-core, injected: the page's policy forbids scripts, so this context bypasses it.
  const violations = [];
  for (const media of ['screen', 'print']) {
    const axeContext = await browser.newContext({ viewport: { width: 1280, height: 1000 }, bypassCSP: true });
    const axePage = await watchedPage(axeContext, `axe ${media}`);
    await axePage.emulateMedia({ media });
    await axePage.goto(url, { waitUntil: 'load' });
    await axePage.addScriptTag({ path: require.resolve('axe-core') });
    const result = await axePage.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      TAGS,
    );
    for (const v of result.violations) violations.push({ media, ...v });
    await axeContext.close();
  }
  for (const v of violations) {
    problems.push(`axe (${v.media}) ${v.id} [${v.impact}]: ${v.help} (${v.helpUrl}), ${v.nodes.length} element(s)`);
    for (const n of v.nodes.slice(0, 5)) {
      problems.push(`    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`);
      problems.push(`    ${n.html.slice(0, 200)}`);
    }
  }
  const size = fs.statSync(report).size;
  console.log(
    `report: ${facts.proposals} proposals, ${size} bytes, ${pages} printed A4 pages; axe-core ${require('axe-core/package.json').version}` +
      ` (${TAGS.join(', ')}): ${violations.length} violations`,
  );
} catch (e) {
  problems.push(`check failed: ${e.stack ?? e}`);
} finally {
  await browser.close();
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('ok: no console errors, page errors, dialogs, network requests or injected scripts; no axe violations');
