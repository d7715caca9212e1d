// Issue 5: the staff workspace in a real browser. A staff member signs in
// (the demo organisation allows an SMS code for staff) and lands on "Mijn
// cliënten"; the write-to-read loop (a begeleider writes, the client sees
// only what is final and visible, with the begeleider's name); a contact
// person added with two tiles sees exactly those and loses them when
// revoked; axe-core on every staff page at 375 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fromOutbox, unqp, launch, axe, screenshotPath, signIn, smsStep, smsFiles } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a persoonlijk begeleider signs in and sees Mijn cliënten, own clients first', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await signIn(server, page, 'anna.bakker@demo.inzage.nl');
  await page.getByRole('heading', { level: 1, name: 'Mijn cliënten' }).waitFor();
  const rows = page.locator('tbody tr');
  assert.ok(await rows.count() >= 2, 'the team has clients');
  // Anna's own clients (persoonlijk begeleider) come first.
  const mine = await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent.includes('jouw cliënt')));
  assert.ok(mine[0], 'an own client first');
  assert.deepEqual(mine, [...mine].sort((a, b) => Number(b) - Number(a)), 'own clients before the others');
  await page.screenshot({ path: screenshotPath('staff-clients-1280.png'), fullPage: true });
  assert.deepEqual(await axe(page), [], 'Mijn cliënten at 1280px');
  // Search by client number.
  await page.getByLabel('Zoek op naam of cliëntnummer').fill('C-1001');
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await page.waitForURL(/zoek=C-1001/);
  assert.equal(await page.locator('tbody tr').count(), 1);
  assert.match(await page.locator('tbody tr').textContent(), /Client, Test/);
  await page.setViewportSize({ width: 375, height: 900 });
  await page.goto(`${server.base}/`);
  assert.deepEqual(await axe(page), [], 'Mijn cliënten at 375px');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 375px');
  await context.close();
});

const newPage = async (width = 1280) => {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  return context.newPage();
};

/// Opens Test Client (C-1001) from Mijn cliënten; returns the client page's path.
async function openTestClient(page) {
  await page.goto(`${server.base}/?zoek=C-1001`);
  await page.getByRole('link', { name: 'Client, Test' }).click();
  await page.waitForURL(/\/clienten\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname;
}

async function writeReport(page, base, category, text, visible) {
  await page.goto(`${server.base}${base}/rapportages`);
  await page.getByRole('link', { name: 'Nieuwe rapportage' }).click();
  await page.getByLabel('Categorie').fill(category);
  await page.getByLabel('Tekst').fill(text);
  await page.getByLabel(visible ? 'Ja, zichtbaar voor de cliënt' : 'Nee, alleen voor medewerkers').check();
  await page.getByRole('button', { name: 'Concept opslaan' }).click();
  await page.getByText('Opgeslagen.').waitFor();
  return new URL(page.url()).pathname;
}

test('a begeleider writes a report: the client sees it only when final and visible, with her name', async () => {
  const anna = await newPage();
  await signIn(server, anna, 'anna.bakker@demo.inzage.nl');
  const base = await openTestClient(anna);
  const stamp = `e2e-${Date.now()}`;
  const shown = await writeReport(anna, base, 'Gesprek', `Zichtbaar verslag ${stamp}. <b>vet?</b>`, true);
  const secret = await writeReport(anna, base, 'Intern', `Intern verslag ${stamp}.`, false);
  assert.match(await anna.textContent('main'), /concept/);

  const client = await newPage(375);
  await signIn(server, client, 'test.1@demo.inzage.nl');
  await client.goto(`${server.base}/dossier/rapportages`);
  assert.doesNotMatch(await client.textContent('main'), new RegExp(stamp), 'a draft stays with staff');

  for (const path of [shown, secret]) {
    await anna.goto(`${server.base}${path}`);
    await anna.getByRole('button', { name: 'Definitief maken' }).click();
    await anna.getByText('De rapportage is definitief.').waitFor();
  }
  await client.reload();
  const text = await client.textContent('main');
  assert.match(text, new RegExp(`Zichtbaar verslag ${stamp}\\. <b>vet\\?</b>`), 'markup shown as text');
  assert.match(text, /Anna Bakker \(persoonlijk begeleider\)/);
  assert.doesNotMatch(text, /Intern verslag/, 'a hidden report never reaches the client');
  const status = await client.evaluate(async (u) => (await fetch(u)).status, `/dossier/rapportages/${secret.split('/').pop()}`);
  assert.equal(status, 404);
  await client.context().close();
  await anna.context().close();
});

test('a draft becomes visible to the client once the period has passed on the injected clock', async () => {
  const anna = await newPage();
  await signIn(server, anna, 'anna.bakker@demo.inzage.nl');
  const base = await openTestClient(anna);
  const stamp = `termijn-${Date.now()}`;
  await writeReport(anna, base, 'Dagrapportage', `Na de termijn ${stamp}.`, true);
  const client = await newPage(375);
  await signIn(server, client, 'test.1@demo.inzage.nl');
  await client.goto(`${server.base}/dossier/rapportages`);
  assert.doesNotMatch(await client.textContent('main'), new RegExp(stamp));
  // The demo organisation finalises after 24 hours: run the jobs as of 25
  // hours from now (the CLI's injected clock), against the running server's data.
  const later = new Date(Date.now() + 25 * 3600 * 1000).toISOString();
  const out = server.cli('jobs', 'run', '--as-of', later);
  assert.match(out, /ran [1-9]\d* job/);
  // Twenty-five hours on, her session is long over (housekeeping removed
  // it in the same run): she signs in again.
  await client.context().close();
  const again = await newPage(375);
  await signIn(server, again, 'test.1@demo.inzage.nl');
  await again.goto(`${server.base}/dossier/rapportages`);
  const text = await again.textContent('main');
  assert.match(text, new RegExp(`Na de termijn ${stamp}`), 'final after the period');
  assert.match(text, /Anna Bakker \(persoonlijk begeleider\)/, 'the real author, not the job');
  await again.context().close();
  await anna.context().close();
});

test('a contact person added with two tiles sees exactly those, and loses them when revoked', async () => {
  const anna = await newPage();
  await signIn(server, anna, 'anna.bakker@demo.inzage.nl');
  const base = await openTestClient(anna);
  await anna.getByRole('link', { name: 'Netwerk en portaal' }).click();
  const add = anna.locator('form[action$="/netwerk/contactpersonen"]');
  await add.getByLabel('Voornaam').fill('Eva');
  await add.getByLabel('Achternaam').fill('Oom');
  await add.getByLabel('Relatie tot de cliënt').selectOption('family');
  await add.getByLabel('E-mail').fill('eva.oom@example.nl');
  await add.getByLabel('Mobiel nummer').fill('0698765432');
  await add.getByLabel('Rapportages').check();
  await add.getByLabel('Afspraken').check();
  await add.getByLabel(/De cliënt geeft toestemming/).check();
  await add.getByRole('button', { name: 'Contactpersoon toevoegen' }).click();
  await anna.getByText('De contactpersoon is toegevoegd.').waitFor();
  const card = anna.locator('.inzage-card', { hasText: 'Eva Oom' });
  assert.match(await card.textContent(), /Rapportages, Afspraken\./);
  await card.getByRole('button', { name: /Uitnodigen/ }).click();
  await anna.getByText('De uitnodiging is verstuurd.').waitFor();

  // Eva follows the link in the e-mail, sets a password and signs in.
  const mail = unqp(await fromOutbox(server, '.eml', (t) => t.includes('eva.oom@example.nl')));
  const link = mail.match(/http:\/\/\S+wachtwoord-instellen\?token=[0-9a-f]{64}/)[0];
  const eva = await newPage(375);
  await eva.goto(link.replace(/^http:\/\/[^/]+/, server.base));
  await eva.getByLabel('Nieuw wachtwoord').fill('een lange zin van eva');
  await eva.getByLabel('Nog een keer hetzelfde wachtwoord').fill('een lange zin van eva');
  const before = smsFiles(server);
  await eva.getByRole('button', { name: 'Instellen' }).click();
  await smsStep(server, eva, before);
  const tiles = await eva.getByRole('navigation', { name: 'Onderdelen van het dossier' }).getByRole('link').allTextContents();
  assert.deepEqual(tiles.map((t) => t.trim()), ['Rapportages', 'Afspraken']);
  assert.match(await eva.textContent('main'), /dossier van Test Client/);
  assert.doesNotMatch(await eva.textContent('main'), /Hallo Test/, 'a contact person is not greeted as the client');

  // Anna revokes: Eva's next page is the sign-in page.
  await anna.reload();
  await anna.locator('.inzage-card', { hasText: 'Eva Oom' }).getByRole('button', { name: /Toegang intrekken/ }).click();
  await anna.getByText('De toegang is ingetrokken.').waitFor();
  await eva.goto(`${server.base}/dossier/afspraken`);
  assert.match(new URL(eva.url()).pathname, /^\/inloggen/);
  await eva.context().close();
  await anna.context().close();
  assert.ok(base);
});

for (const width of [375, 1280]) {
  test(`every staff page has no serious accessibility violations at ${width} px`, async () => {
    const page = await newPage(width);
    await signIn(server, page, 'anna.bakker@demo.inzage.nl');
    const base = await openTestClient(page);
    const report = await writeReport(page, base, 'Gesprek', 'Voor de toegankelijkheidstest.', true);
    const pages = [base, `${base}/rapportages`, `${base}/rapportages/nieuw`, report, `${base}/netwerk`,
      `${base}/clientplan`, `${base}/afspraken`, `${base}/documenten`, `${base}/vragen`, `${base}/verzoeken`, '/verzoeken'];
    // A plan page and a section form, and an appointment's change form.
    await page.goto(`${server.base}${base}/clientplan`);
    const planLink = await page.locator('main a[href*="/clientplan/"]').first().getAttribute('href');
    pages.push(planLink);
    await page.goto(`${server.base}${base}/afspraken`);
    const change = page.locator('main a[href*="/afspraken/"]').first();
    if (await change.count()) pages.push(await change.getAttribute('href'));
    for (const p of pages) {
      await page.goto(`${server.base}${p}`);
      assert.deepEqual(await axe(page), [], `${p} at ${width}px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, `no horizontal scrolling on ${p} at ${width}px`);
    }
    // A draft plan version and its section form (made once, reused).
    await page.goto(`${server.base}${base}/clientplan`);
    const newVersion = page.getByRole('button', { name: 'Nieuwe versie maken' });
    if (await newVersion.count()) {
      await newVersion.click();
    } else {
      await page.locator('main li', { hasText: 'concept' }).getByRole('link').first().click();
    }
    await page.getByText('Dit is een concept.').waitFor();
    assert.deepEqual(await axe(page), [], `draft plan at ${width}px`);
    await page.getByRole('link', { name: /Dit domein aanpassen/ }).first().click();
    await page.getByLabel('Doelen').waitFor();
    assert.deepEqual(await axe(page), [], `plan section form at ${width}px`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'section form fits');
    // A refused form, with its messages, too.
    await page.goto(`${server.base}${base}/rapportages/nieuw`);
    await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
    await page.getByRole('button', { name: 'Concept opslaan' }).click();
    await page.getByText('Er is niets opgeslagen.').waitFor();
    assert.deepEqual(await axe(page), [], `refused report form at ${width}px`);
    await page.goto(`${server.base}${report}`);
    await page.screenshot({ path: screenshotPath(`staff-report-${width}.png`), fullPage: true });
    await page.context().close();
  });

  test(`the audit viewer and the admin pages have no serious accessibility violations at ${width} px`, async () => {
    const officer = await newPage(width);
    await signIn(server, officer, 'pieter.mulder@demo.inzage.nl');
    await officer.goto(`${server.base}/audit?geweigerd=1`);
    await officer.getByRole('heading', { level: 1, name: 'Auditlog doorzoeken' }).waitFor();
    assert.deepEqual(await axe(officer), [], `/audit at ${width}px`);
    await officer.goto(`${server.base}/audit`);
    assert.deepEqual(await axe(officer), [], `/audit (all) at ${width}px`);
    assert.equal(await officer.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'audit fits');
    await officer.context().close();
    const admin = await newPage(width);
    await signIn(server, admin, 'ria.smit@demo.inzage.nl');
    await admin.goto(`${server.base}/beheer`);
    assert.deepEqual(await axe(admin), [], `/beheer at ${width}px`);
    assert.equal(await admin.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'admin fits');
    const member = await admin.locator('main a[href^="/beheer/medewerkers/"]').first().getAttribute('href');
    await admin.goto(`${server.base}${member}`);
    assert.deepEqual(await axe(admin), [], `${member} at ${width}px`);
    await admin.goto(`${server.base}/beheer/bewaartermijn`);
    await admin.getByRole('heading', { level: 1, name: 'Bewaartermijn van dossiers' }).waitFor();
    assert.deepEqual(await axe(admin), [], `/beheer/bewaartermijn at ${width}px`);
    assert.equal(await admin.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, 'retention fits');
    await admin.context().close();
  });
}
