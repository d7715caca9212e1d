// Issue 15, easier reading, in a real browser: "Lees voor" appears only
// when the browser has a Dutch voice and reads the text with the browser's
// own speech synthesis (a stand-in voice here: headless Chromium has
// none); on a phone a tile's content is in view at once; the whole plan on
// one page; the report search. axe-core on the new pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, axe, signIn, screenshotPath } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/// A stand-in for the browser's speech synthesis with one voice of `lang`
/// (none: no voices at all), recording what it was asked to say.
const fakeSpeech = (lang) => {
  const voices = lang ? [{ lang, name: 'Stand-in' }] : [];
  window.__spoken = [];
  Object.defineProperty(window, 'speechSynthesis', {
    configurable: true,
    value: {
      getVoices: () => voices,
      speak: (u) => { window.__spoken.push(u.text); },
      cancel: () => {},
      addEventListener: () => {},
    },
  });
};

test('"Lees voor" reads a report aloud when the browser has a Dutch voice, and is absent without one', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await context.addInitScript(fakeSpeech, 'nl-NL');
  const page = await context.newPage();
  await signIn(server, page, 'test.1@demo.inzage.nl');
  await page.goto(`${server.base}/dossier/rapportages`);
  await page.locator('main ol a[href^="/dossier/rapportages/"]').first().click();
  const button = page.getByRole('button', { name: 'Lees voor' });
  await button.waitFor();
  assert.deepEqual(await axe(page), [], 'a report with the read-aloud button');
  await button.click();
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.length, 1);
  assert.match(spoken[0], /Geschreven door/);
  assert.equal(await page.getByRole('button', { name: 'Stop met voorlezen' }).getAttribute('aria-pressed'), 'true');
  await page.goto(`${server.base}/hulp`);
  await page.getByRole('button', { name: 'Lees voor' }).waitFor();
  await context.close();

  const without = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await without.addInitScript(fakeSpeech, null);
  const plain = await without.newPage();
  await signIn(server, plain, 'test.1@demo.inzage.nl');
  await plain.goto(`${server.base}/hulp`);
  await plain.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await plain.getByRole('button', { name: 'Lees voor' }).count(), 0, 'no voice, no button');
  await without.close();
});

test('on a phone a tile\'s content is in view at once; the whole plan reads as one page; reports are searchable', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true });
  const page = await context.newPage();
  await signIn(server, page, 'test.1@demo.inzage.nl');
  for (const [name, href] of [['Rapportages', '/dossier/rapportages'], ['Wie keek mee', '/dossier/wie-keek-mee']]) {
    await page.goto(`${server.base}/`);
    await page.getByRole('navigation', { name: 'Onderdelen van het dossier' }).getByRole('link', { name }).click();
    await page.waitForURL(server.base + href);
    const box = await page.getByRole('heading', { level: 1, name }).boundingBox();
    await page.screenshot({ path: screenshotPath(`phone-tile-${href.split('/').pop()}-320.png`) });
    assert.ok(box && box.y + box.height <= 640, `${name}: the heading is on the first screen (y=${box?.y})`);
  }
  // The whole plan.
  await page.goto(`${server.base}/dossier/clientplan`);
  await page.locator('main a[href^="/dossier/clientplan/"]').first().click();
  await page.getByRole('link', { name: /Lees het hele plan op één pagina/ }).click();
  await page.getByText('Druk deze pagina af').waitFor();
  assert.ok(await page.locator('#heel-plan section').count() >= 2, 'every section');
  assert.deepEqual(await axe(page), [], 'the whole plan at 320 px');
  // Search: a word, case and accents aside.
  await page.goto(`${server.base}/dossier/rapportages`);
  await page.getByLabel('Zoek op woord').fill('XYZZY-niets');
  await page.getByRole('button', { name: 'Laat zien' }).click();
  await page.getByText('Er zijn geen rapportages gevonden.').waitFor();
  assert.deepEqual(await axe(page), [], 'a search without results at 320 px');
  await context.close();
});
