'use strict';
// Loads each HTML file in the system Chromium: axe-core (WCAG 2.1 A/AA), external requests,
// horizontal overflow at a phone width; optional screenshots. Prints one JSON object.
// Usage: node check.js [--screenshots DIR] FILE...
const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');
const axeSrc = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

(async () => {
  const args = process.argv.slice(2);
  let shots = null;
  if (args[0] === '--screenshots') { shots = args[1]; args.splice(0, 2); }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const results = {};
  for (const file of args) {
    const r = { violations: [], external: [], overflow: {}, errors: [] };
    for (const width of [1280, 360]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.route('**/*', route => {
        const u = route.request().url();
        if (/^(file|data|about):/i.test(u)) return route.continue();
        r.external.push(u);
        return route.abort();
      });
      page.on('pageerror', e => r.errors.push(String(e)));
      await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
      r.overflow[width] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (width === 1280) {
        await page.evaluate(axeSrc);
        const axe = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
        r.violations = axe.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
          targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
      }
      if (shots) {
        const name = path.basename(path.dirname(file)) + '-' + path.basename(file, '.html') + '-' + width + '.png';
        await page.screenshot({ path: path.join(shots, name), fullPage: false });
      }
      await page.close();
    }
    results[file] = r;
  }
  await browser.close();
  process.stdout.write(JSON.stringify(results));
})().catch(e => { console.error(e); process.exit(3); });
