// Issue 14 in a real browser: the secretariat registers a client (a likely
// duplicate is shown first), corrects the address and invites; the client
// follows the invitation, the SMS code arrives without a click, and the
// portal shows the corrected address with the organisation's name and
// logo; a GGZ client reads "behandelaar" and "behandelplan". axe-core on
// every new page at 320 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fromOutbox, unqp, launch, axe, screenshotPath, signIn, smsStep, smsFiles } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const newPage = async (width = 1280) => {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  return context.newPage();
};

// A 1x1 PNG.
const PNG = Buffer.from('89504E470D0A1A0A0000000D4948445200000001000000010806000000' +
  '1F15C4890000000A49444154789C6300010000050001' + '0D0A2DB40000000049454E44AE426082', 'hex');

async function axeAt(page, widths, what) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axe(page), [], `${what} at ${width}px`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, `${what}: no horizontal scrolling at ${width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('the secretariat registers, corrects and invites; the client signs in and sees it with the organisation\'s face', async () => {
  // The functional admin sets the display name and the logo.
  const ria = await newPage();
  await signIn(server, ria, 'ria.smit@demo.inzage.nl');
  await ria.goto(`${server.base}/beheer`);
  await ria.getByLabel('Naam op het inlogscherm en in e-mails').fill('Zorggroep De Linde');
  await ria.getByRole('button', { name: 'Instellingen opslaan' }).click();
  await ria.getByText('Opgeslagen.').first().waitFor();
  await ria.locator('#logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await ria.getByRole('button', { name: 'Logo opslaan' }).click();
  await ria.getByText('Het logo is opgeslagen.').waitFor();
  await ria.getByLabel('Naam', { exact: true }).fill('Therapie Online');
  await ria.getByLabel('Webadres (https://)').fill('https://therapie.example.nl');
  await ria.getByLabel('Uitleg in één zin').fill('Oefeningen tussen de gesprekken door.');
  await ria.getByRole('button', { name: 'App toevoegen' }).click();
  await ria.getByText('Therapie Online').first().waitFor();
  await axeAt(ria, [320, 1280], 'Beheer with the logo form');

  // The secretariat registers a client whose name looks like an existing one.
  const kees = await newPage();
  await signIn(server, kees, 'kees.dejong@demo.inzage.nl');
  await kees.getByRole('link', { name: 'Cliënt registreren' }).click();
  await kees.getByRole('heading', { level: 1, name: 'Cliënt registreren' }).waitFor();
  await axeAt(kees, [320, 1280], 'Cliënt registreren');
  const fill = async (label, value) => kees.getByLabel(label, { exact: true }).fill(value);
  await fill('Cliëntnummer', 'C-2001');
  await fill('Voornaam', 'Noor');
  await fill('Achternaam', 'Yılmaz');
  await fill('Geboortedatum', '03-04-1994');
  await fill('Straat', 'Verkeerdestraat');
  await fill('Huisnummer', '1');
  await fill('Postcode', '3512 AB');
  await fill('Woonplaats', 'Utrecht');
  await fill('E-mail', 'noor.yilmaz@example.nl');
  await fill('Mobiel nummer', '06 1234 9876');
  await kees.getByLabel('Team (de locatie hoort bij het team)').selectOption({ label: 'Woongroep De Linde (De Linde)' });
  await kees.getByRole('button', { name: 'Cliënt registreren' }).click();
  await kees.getByText('De cliënt is geregistreerd.').waitFor();
  const clientPath = new URL(kees.url()).pathname;
  // A second registration with the same birth date and a similar name:
  // the likely duplicate is shown before anything is saved.
  await kees.goto(`${server.base}/clienten/nieuw`);
  await fill('Cliëntnummer', 'C-2002');
  await fill('Voornaam', 'Noor');
  await fill('Achternaam', 'Yilmaz');
  await fill('Geboortedatum', '03-04-1994');
  await kees.getByLabel('Team (de locatie hoort bij het team)').selectOption({ label: 'Woongroep De Linde (De Linde)' });
  await kees.getByRole('button', { name: 'Cliënt registreren' }).click();
  await kees.getByRole('heading', { name: 'Bestaat deze cliënt al?' }).waitFor();
  assert.match(await kees.locator('#duplicates').textContent(), /Yılmaz, Noor/);
  await axeAt(kees, [320, 1280], 'registration with a likely duplicate');
  // Search folds accents: "yilmaz" finds "Yılmaz".
  await kees.goto(`${server.base}/?zoek=yilmaz`);
  assert.match(await kees.locator('tbody').textContent(), /Yılmaz, Noor/);

  // Correct the address: a new version, the old one in the history.
  await kees.goto(`${server.base}${clientPath}`);
  await kees.getByRole('link', { name: 'Gegevens wijzigen' }).click();
  await axeAt(kees, [320, 1280], 'Gegevens wijzigen');
  await fill('Straat', 'Oudegracht');
  await fill('Huisnummer', '12');
  await kees.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
  await kees.getByText('De gegevens zijn opgeslagen.').waitFor();
  await kees.locator('summary', { hasText: 'Eerdere versies' }).click();
  assert.match(await kees.locator('#versies').textContent(), /Straat: Verkeerdestraat → Oudegracht/);
  await axeAt(kees, [320, 1280], 'client page with the history');

  // Invite from the network tab.
  await kees.goto(`${server.base}${clientPath}/netwerk`);
  await kees.getByRole('button', { name: 'Uitnodigen' }).first().click();
  await kees.getByText('De uitnodiging is verstuurd.').waitFor();
  const mail = unqp(await fromOutbox(server, '.eml', (t) => t.includes('noor.yilmaz@example.nl') && t.includes('wachtwoord-instellen')));
  assert.match(mail, /Zorggroep De Linde/, 'the e-mail names the organisation');
  const link = mail.match(/http:\/\/\S+wachtwoord-instellen\?token=[0-9a-f]{64}/)[0];

  // The client: set a password, the SMS arrives without a click.
  const noor = await newPage(320);
  await noor.goto(link.replace(/^http:\/\/[^/]+/, server.base));
  assert.ok(await noor.locator('header img.inzage-header__logo').count() === 1, 'logo on the page before sign-in');
  await noor.getByLabel('Nieuw wachtwoord').fill('een lange zin van noor');
  await noor.getByLabel('Nog een keer hetzelfde wachtwoord').fill('een lange zin van noor');
  const beforeSms = smsFiles(server);
  await noor.getByRole('button', { name: 'Instellen' }).click();
  await smsStep(server, noor, beforeSms);
  await noor.goto(`${server.base}/dossier/gegevens`);
  const profile = await noor.textContent('main');
  assert.match(profile, /Oudegracht 12/);
  assert.match(await noor.textContent('header'), /Zorggroep De Linde/);
  assert.equal(await noor.locator('header img.inzage-header__logo').count(), 1, 'the logo in the header');
  assert.match(await noor.textContent('footer'), /servicedesk@demo\.inzage\.nl/);
  await noor.screenshot({ path: screenshotPath('client-with-face-320.png'), fullPage: true });
  await axeAt(noor, [320, 1280], 'Mijn gegevens with the care episode');
  // Other apps: a tile, a page, a new tab outside Inzage.
  await noor.goto(`${server.base}/`);
  await noor.getByRole('link', { name: 'Andere apps' }).click();
  const app = noor.getByRole('link', { name: /Therapie Online/ });
  assert.equal(await app.getAttribute('target'), '_blank');
  assert.equal(await app.getAttribute('rel'), 'noopener noreferrer');
  await axeAt(noor, [320, 1280], 'Andere apps');
});

test('a GGZ client reads behandelaar and behandelplan', async () => {
  const lotte = await newPage(320);
  await signIn(server, lotte, 'lotte.1@ggz.demo.inzage.nl');
  const start = await lotte.textContent('main');
  assert.match(start, /Behandelplan/);
  assert.doesNotMatch(start, /Cliëntplan/);
  assert.match(await lotte.textContent('header'), /GGZ Oost/);
  await lotte.goto(`${server.base}/dossier/gegevens`);
  const profile = await lotte.textContent('main');
  assert.match(profile, /Regiebehandelaar/);
  assert.doesNotMatch(profile, /begeleider/i);
  await axeAt(lotte, [320, 1280], 'GGZ Mijn gegevens');
  await lotte.goto(`${server.base}/dossier/clientplan`);
  assert.match(await lotte.textContent('main'), /Behandelplan - Meijer, Lotte/);
  await lotte.goto(`${server.base}/hulp`);
  assert.match(await lotte.textContent('main'), /Als je 15 minuten niets doet/);
});
