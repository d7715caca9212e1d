// Issue 15: "Mijn netwerk", by the client, in a real browser. Sara (adult,
// no representative) stops her partner's access; his open session stops
// at once. She asks the team to add someone. axe-core on every new page at
// 320 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, axe, signIn } from './helpers.mjs';

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

test('a client ends a contact person\'s access and that person\'s open session stops', async () => {
  const noah = await newPage(1280);
  await signIn(server, noah, 'noah.bakker@voorbeeld.nl');
  await noah.goto(`${server.base}/dossier/rapportages`);
  await noah.getByRole('heading', { level: 1, name: 'Rapportages' }).waitFor();

  const sara = await newPage(320);
  await signIn(server, sara, 'sara.3@demo.inzage.nl');
  await sara.goto(`${server.base}/dossier/netwerk`);
  await sara.getByText('Geef daarom niet iedereen het recht').waitFor();
  await clean(sara, 'Mijn netwerk with the controls, 320 px');
  await sara.getByRole('link', { name: /Toegang stoppen/ }).first().click();
  await sara.getByRole('heading', { level: 1, name: 'Toegang van Noah Bakker stoppen?' }).waitFor();
  await clean(sara, 'the confirmation, 320 px');
  await sara.getByRole('button', { name: 'Ja, stop de toegang' }).click();
  await sara.getByText('De toegang is gestopt.').waitFor();
  assert.doesNotMatch(await sara.textContent('main'), /Noah Bakker/);

  // Noah's open session has ended: the next page is the sign-in page.
  await noah.reload();
  assert.match(new URL(noah.url()).pathname, /^\/inloggen/);

  // Asking to add someone: tiles to choose, the privacy advice.
  await sara.getByRole('link', { name: 'Vraag je team om iemand toe te voegen' }).click();
  await sara.getByRole('group', { name: 'Wat mag deze persoon zien?' }).waitFor();
  await clean(sara, 'the request to add someone, 320 px');
  await sara.getByLabel('Jouw tekst').fill('Mijn moeder, Ria Bakker. Telefoon 06 1111 2222.');
  await sara.getByLabel('Afspraken').check();
  await sara.getByRole('button', { name: 'Versturen' }).click();
  await sara.getByText('Verstuurd. Je ziet je verzoek hieronder.').waitFor();
  assert.match(await sara.textContent('main'), /Iemand toevoegen: Mijn netwerk/);
  await sara.setViewportSize({ width: 1280, height: 900 });
  await clean(sara, 'Mijn verzoeken with a network request, 1280 px');
  await sara.context().close();
  await noah.context().close();
});

test('the questions tile says it is not for emergencies and has no serious accessibility violations', async () => {
  for (const width of [320, 1280]) {
    const page = await newPage(width);
    await signIn(server, page, 'test.1@demo.inzage.nl');
    await page.goto(`${server.base}/dossier/vragen`);
    await page.getByText('Niet voor spoed').waitFor();
    assert.equal(await page.locator('a[href="tel:112"]').count(), 1);
    await clean(page, `Vraag aan je team at ${width}px`);
    await page.locator('main ol a[href^="/dossier/vragen/"]').first().click();
    await page.getByText(/\(team\)/).first().waitFor();
    await clean(page, `a question with its answer at ${width}px`);
    await page.context().close();
  }
});
