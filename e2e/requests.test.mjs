// Issue 15: "Klopt er iets niet?" in a real browser. A client asks for a
// correction on a report; the begeleider finds it in the queue and declines
// it with a reason; the client reads the reason. axe-core on every new page
// at 320 and 1280 px, and nothing scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, axe, screenshotPath, signIn } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const newPage = async (width) => {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  return context.newPage();
};

async function clean(page, what) {
  assert.deepEqual(await axe(page), [], what);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, `no horizontal scrolling: ${what}`);
}

test('a client asks for a correction, the begeleider declines it with a reason, the client reads the reason', async () => {
  const stamp = `e2e-${Date.now()}`;
  const client = await newPage(320);
  await signIn(server, client, 'test.1@demo.inzage.nl');
  await client.goto(`${server.base}/dossier/rapportages`);
  await client.locator('main ol a[href^="/dossier/rapportages/"]').first().click();
  await client.getByRole('heading', { name: 'Klopt er iets niet?' }).waitFor();
  await clean(client, 'a report with the way to ask, 320 px');
  await client.getByRole('link', { name: 'Vraag om een verbetering' }).click();
  await client.getByText(/Je krijgt binnen \d+ dagen antwoord\./).waitFor();
  await clean(client, 'the request form, 320 px');
  await client.getByLabel('Jouw tekst').fill(`Dit klopt niet (${stamp}). Ik was moe, niet boos.`);
  await client.getByRole('button', { name: 'Versturen' }).click();
  await client.getByText('Verstuurd. Je ziet je verzoek hieronder.').waitFor();
  assert.match(await client.textContent('main'), /We kijken ernaar\. Je krijgt uiterlijk \d\d-\d\d-\d{4} antwoord\./);
  await clean(client, 'Mijn verzoeken, 320 px');

  const anna = await newPage(1280);
  await signIn(server, anna, 'anna.bakker@demo.inzage.nl');
  await anna.getByRole('link', { name: 'Verzoeken van cliënten' }).click();
  await anna.getByRole('heading', { level: 1, name: 'Verzoeken van cliënten' }).waitFor();
  await clean(anna, 'the queue, 1280 px');
  const links = await anna.locator('main tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.length >= 2, 'the demo request and ours');
  let found = false;
  for (const href of links) {
    await anna.goto(`${server.base}${href}`);
    if ((await anna.textContent('main')).includes(stamp)) { found = true; break; }
  }
  assert.ok(found, 'our request is in the queue');
  await clean(anna, 'one request with its answer form, 1280 px');
  // Without a reason nothing is saved.
  await anna.getByRole('button', { name: 'Niet verbeteren' }).click();
  await anna.getByText(/Schrijf de reden op/).waitFor();
  await clean(anna, 'a refused answer, 1280 px');
  await anna.getByLabel('Antwoord aan de cliënt').fill('Wij hebben het zo gezien. Je kunt er je eigen aanvulling bij schrijven.');
  await anna.getByRole('button', { name: 'Niet verbeteren' }).click();
  await anna.getByText('Opgeslagen.').waitFor();
  await anna.screenshot({ path: screenshotPath('staff-request-1280.png'), fullPage: true });

  await client.goto(`${server.base}/dossier/verzoeken`);
  const text = await client.textContent('main');
  assert.match(text, /Niet verbeterd\./);
  assert.match(text, /Wij hebben het zo gezien\./);
  assert.match(text, /Anna Bakker/);
  await client.screenshot({ path: screenshotPath('portal-requests-320.png'), fullPage: true });
  await anna.setViewportSize({ width: 320, height: 900 });
  await anna.goto(`${server.base}/verzoeken`);
  await clean(anna, 'the queue, 320 px');
  await client.context().close();
  await anna.context().close();
});
