// Issue 4: the client portal in a real browser. A client opens every tile,
// a plan section, a report, a document and an .ics file; a contact person
// sees only the granted tiles; guessed ids of another client answer 404;
// axe-core on every portal page at 375 and 1280 px; keyboard-only use of
// the tile row and the tour; screenshots of the start page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, launch, axe, screenshotPath, signIn as signInAs } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

// axe-core is injected as a script, which our CSP forbids: only in tests.
const newPage = async (width) => {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, acceptDownloads: true });
  return context.newPage();
};

const signIn = (page, email) => signInAs(server, page, email);

const TILES = [
  ['Mijn gegevens', '/dossier/gegevens'],
  ['Cliëntplan', '/dossier/clientplan'],
  ['Rapportages', '/dossier/rapportages'],
  ['Afspraken', '/dossier/afspraken'],
  ['Documenten', '/dossier/documenten'],
  ['Vraag aan je team', '/dossier/vragen'],
  ['Mijn netwerk', '/dossier/netwerk'],
  ['Wie keek mee', '/dossier/wie-keek-mee'],
];

/// A same-origin request from inside the page (it carries the session
/// cookie exactly as the browser would): status, headers, first bytes.
const fetchIn = (page, url) => page.evaluate(async (u) => {
  const r = await fetch(u, { redirect: 'manual' });
  const buf = new Uint8Array(await r.arrayBuffer());
  return {
    status: r.status,
    headers: Object.fromEntries(r.headers.entries()),
    head: String.fromCharCode(...buf.subarray(0, 5)),
    text: new TextDecoder().decode(buf),
  };
}, url);

const tileNav = (page) => page.getByRole('navigation', { name: 'Onderdelen van het dossier' });

/// Presses Tab until the focused element matches; fails after `max` presses.
async function tabTo(page, pred, max = 40) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(pred);
    if (hit) return i;
  }
  throw new Error('focus never reached the element');
}

test('a client opens every tile, a plan section, a report, a document and an .ics file', async () => {
  const page = await newPage(1280);
  await signIn(page, 'test.1@demo.inzage.nl');
  await page.getByRole('heading', { name: 'Hallo Test' }).waitFor();
  assert.match(await page.textContent('.inzage-whose'), /Dossier van Test Client/);
  // The tour is there on a first login; close it by clicking.
  await page.getByRole('button', { name: 'Rondleiding sluiten' }).click();
  await page.getByRole('heading', { name: 'Hallo Test' }).waitFor();
  assert.equal(await page.locator('#tour').count(), 0);

  for (const [name, href] of TILES) {
    await tileNav(page).getByRole('link', { name }).click();
    await page.waitForURL(server.base + href);
    const active = page.locator('.inzage-tile--active');
    assert.equal(await active.count(), 1, name);
    assert.equal(await active.getAttribute('aria-current'), 'page');
    assert.equal((await active.textContent()).trim().endsWith(name), true, name);
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }
  // Back button: the previous tile's page, still its own URL.
  await page.goBack();
  assert.equal(new URL(page.url()).pathname, '/dossier/netwerk');

  // Client plan: a plan, then one section.
  await page.goto(`${server.base}/dossier/clientplan`);
  await page.getByRole('link', { name: /Cliëntplan - Client, Test \(\d\d-\d\d-\d{4}\) - Cliënt/ }).first().click();
  await page.getByRole('heading', { name: 'Inhoud' }).waitFor();
  const contents = page.getByRole('navigation', { name: 'Inhoud' }).getByRole('link');
  const firstSection = (await contents.first().textContent()).trim();
  await contents.first().click();
  await page.getByRole('heading', { level: 2, name: firstSection }).waitFor();
  await page.getByRole('heading', { name: 'Doelen' }).waitFor();
  await page.getByRole('heading', { name: 'Afspraken', level: 3 }).waitFor();

  // Reports: one report on its own page, with the real author.
  await page.goto(`${server.base}/dossier/rapportages`);
  const first = page.locator('.inzage-card').first();
  const meta = await first.locator('.inzage-card__meta').textContent();
  assert.match(meta, /Geschreven door \S+ \S+ \((persoonlijk begeleider|begeleider|behandelaar)\)/);
  assert.doesNotMatch(meta, /batcher|systeem|Inzage/i);
  await first.getByRole('heading').getByRole('link').click();
  await page.getByRole('link', { name: 'Terug naar alle rapportages' }).waitFor();
  assert.match(page.url(), /\/dossier\/rapportages\/[0-9a-f-]{36}$/);

  // A document: PDF, inline, no-store.
  await page.goto(`${server.base}/dossier/documenten`);
  const open = await page.getByRole('link', { name: /^Openen/ }).first().getAttribute('href');
  const res = await fetchIn(page, open);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.match(res.headers['content-disposition'], /^inline; filename="/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.head, '%PDF-');

  // An appointment into the calendar.
  await page.goto(`${server.base}/dossier/afspraken`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /Zet in je agenda/ }).first().click(),
  ]);
  assert.match(download.suggestedFilename(), /^afspraak-\d{4}-\d\d-\d\d\.ics$/);
  const ics = fs.readFileSync(await download.path(), 'utf8');
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /\r\nDTSTART:\d{8}T\d{6}Z\r\n/);
  await page.context().close();
});

test('the tile row and the tour work with the keyboard alone', async () => {
  const page = await newPage(1280);
  await signIn(page, 'sara.3@demo.inzage.nl');
  // Sara's care ended 10 days ago: the page says until when she can read.
  assert.match(await page.textContent('main'), /Je kunt je dossier nog lezen tot en met \d\d-\d\d-\d{4}/);
  // Tour step 1: Tab reaches "Volgende" quickly, Enter moves on.
  assert.match(await page.textContent('#tour'), /stap 1 van/);
  for (const step of [2, 3, 4]) {
    await tabTo(page, () => document.activeElement?.textContent?.trim() === 'Volgende');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('rondleiding') === String(step));
    assert.match(await page.textContent('#tour'), new RegExp(`stap ${step} van`));
    // The step points at a tile that describes itself to a screen reader.
    if (step > 1) assert.equal(await page.locator('.inzage-tile--tour[aria-describedby="tour-text"]').count(), 1);
    // After the page loads at #tour, the next Tab starts inside the tour.
    const presses = await tabTo(page, () => !!document.activeElement?.closest('#tour'), 3);
    assert.ok(presses <= 3);
    await page.keyboard.press('Shift+Tab');
  }
  // Close the tour at step 4 with the keyboard.
  await tabTo(page, () => document.activeElement?.textContent?.trim() === 'Rondleiding sluiten');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.base}/`);
  assert.equal(await page.locator('#tour').count(), 0);

  // The tile row: Tab to the third tile, visible focus, Enter opens it.
  await page.goto(`${server.base}/`);
  await tabTo(page, () => document.activeElement?.getAttribute('href') === '/dossier/rapportages');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.base}/dossier/rapportages`);
  assert.equal(await page.locator('a[aria-current="page"].inzage-tile').getAttribute('href'), '/dossier/rapportages');
  // The skip link is the first stop and lands in the main content.
  await page.goto(`${server.base}/dossier/afspraken`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main');
  await page.context().close();
});

test('a contact person sees only the granted tiles and whose dossier it is', async () => {
  const page = await newPage(375);
  await signIn(page, 'mila.vries@voorbeeld.nl');
  assert.match(await page.textContent('.inzage-whose'), /Je kijkt in het dossier van Test Client/);
  const names = await tileNav(page).locator('.inzage-tile__label').allTextContents();
  assert.deepEqual(names, ['Cliëntplan', 'Afspraken']);
  for (const href of ['/dossier/gegevens', '/dossier/rapportages', '/dossier/documenten', '/dossier/wie-keek-mee']) {
    const res = await page.goto(server.base + href);
    assert.equal(res.status(), 403, href);
    assert.doesNotMatch(await page.textContent('main'), /Test Client|C-1001/, href);
  }
  await page.goto(`${server.base}/dossier/afspraken`);
  await page.getByRole('heading', { level: 1, name: 'Afspraken' }).waitFor();
  assert.match(await page.textContent('.inzage-whose'), /Test Client/);
  await page.context().close();
});

test("guessing another client's report, document and appointment ids answers 404", async () => {
  // Collect ids from Sara's own dossier.
  const sara = await newPage(1280);
  await signIn(sara, 'sara.3@demo.inzage.nl');
  const hrefOf = async (path, pattern) => {
    await sara.goto(server.base + path);
    const hrefs = await sara.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const h = hrefs.find((x) => pattern.test(x));
    assert.ok(h, `${path} has a link like ${pattern}`);
    return h;
  };
  const targets = [
    await hrefOf('/dossier/rapportages', /^\/dossier\/rapportages\/[0-9a-f-]{36}$/),
    await hrefOf('/dossier/documenten', /^\/dossier\/documenten\/[0-9a-f-]{36}$/),
    await hrefOf('/dossier/afspraken', /^\/dossier\/afspraken\/[0-9a-f-]{36}\/agenda\.ics$/),
  ];
  await sara.context().close();
  const page = await newPage(1280);
  await signIn(page, 'test.1@demo.inzage.nl');
  const unknown = await fetchIn(page, '/dossier/rapportages/01a20000-0000-7000-8000-000000000000');
  assert.equal(unknown.status, 404);
  for (const t of targets) {
    const res = await fetchIn(page, t);
    assert.equal(res.status, 404, t);
    assert.equal(res.text, unknown.text, `${t} looks exactly like a missing id`);
  }
  // The same ids in the address bar: the friendly 404 page.
  const res = await page.goto(server.base + targets[0]);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Niet gevonden' }).waitFor();
  await page.context().close();
});

for (const width of [375, 1280]) {
  test(`every portal page has no serious accessibility violations at ${width} px`, async () => {
    const page = await newPage(width);
    await signIn(page, 'test.1@demo.inzage.nl');
    await page.goto(`${server.base}/?rondleiding=1`);
    await page.screenshot({ path: screenshotPath(`portal-start-tour-${width}.png`), fullPage: true });
    const pages = ['/', '/?rondleiding=3', ...TILES.map(([, h]) => h), '/hulp', '/dossier/rapportages?pagina=2',
      '/dossier/rapportages?van=99-99-2026', '/dossier/wie-keek-mee?van=01-11-2026', '/dossier/afschrift'];
    await page.goto(`${server.base}/dossier/clientplan`);
    const plan = await page.locator('a[href^="/dossier/clientplan/"]').first().getAttribute('href');
    await page.goto(server.base + plan);
    const section = await page.locator(`a[href^="${plan}/"]`).first().getAttribute('href');
    await page.goto(`${server.base}/dossier/rapportages`);
    const report = await page.locator('a[href^="/dossier/rapportages/"]').first().getAttribute('href');
    pages.push(plan, section.replace(/#.*/, ''), report, '/dossier/rapportages/not-an-id');
    for (const p of pages) {
      await page.goto(server.base + p);
      assert.deepEqual(await axe(page), [], `${p} at ${width}px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, `${p}: no horizontal scrolling at ${width}px`);
      // Touch targets: tiles, buttons, menu and stand-alone links are >= 44 px high.
      const small = await page.evaluate(() => [...document.querySelectorAll(
        '.inzage-tile, button, .inzage-header a, .inzage-big-link, .inzage-side__link, .inzage-button-link')]
        .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
        .map((e) => e.outerHTML.slice(0, 80)));
      assert.deepEqual(small, [], `${p}: small touch targets at ${width}px`);
    }
    await page.goto(`${server.base}/`);
    await page.screenshot({ path: screenshotPath(`portal-start-${width}.png`), fullPage: true });
    await page.goto(`${server.base}/dossier/rapportages`);
    await page.screenshot({ path: screenshotPath(`portal-reports-${width}.png`), fullPage: true });
    await page.context().close();
  });
}

test('the portal fits a 320 px screen and prints without menus', async () => {
  const page = await newPage(320);
  await signIn(page, 'test.1@demo.inzage.nl');
  for (const [, href] of TILES) {
    await page.goto(server.base + href);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, `${href} at 320px`);
  }
  await page.emulateMedia({ media: 'print' });
  await page.goto(`${server.base}/dossier/rapportages`);
  assert.equal(await page.locator('.inzage-tiles').isVisible(), false);
  assert.equal(await page.locator('.inzage-card').first().isVisible(), true);
  await page.context().close();
});
