// Issue 3: the whole first login in a real browser, and the pause after
// three wrong passwords; axe-core on the sign-in pages at 375 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fromOutbox, unqp, launch, axe, screenshotPath, DEMO_PASSWORD } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

// axe-core is injected as a script, which our CSP forbids: only in tests.
const newPage = (width) => browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });

test('first login: invitation e-mail, set password, SMS code, start page; later logins with the password', async () => {
  // A new client (the demo's own accounts are in use: an invitation would
  // not touch them, ADR 0013).
  const org = JSON.parse(server.cli('admin', 'org', 'list', '--json'))[0].id;
  const team = JSON.parse(server.cli('admin', 'team', 'list', '--org', org, '--json'))[0].id;
  const daan = JSON.parse(server.cli('admin', 'client', 'create', '--org', org, '--number', 'C-E2E',
    '--given-name', 'Daan', '--family-name', 'Nieuw', '--birth-date', '01-02-2001',
    '--email', 'daan.nieuw@example.nl', '--mobile', '06 1111 2299', '--team', team, '--json'));
  server.cli('admin', 'invite', '--client', daan.id);
  const mail = unqp(await fromOutbox(server, '.eml', (t) => t.includes('Je uitnodiging voor Inzage') && t.includes('daan.nieuw@')));
  const link = mail.match(/http:\/\/\S+wachtwoord-instellen\?token=[0-9a-f]{64}/)[0];
  const page = await newPage(375);
  await page.goto(link.replace(/^http:\/\/[^/]+/, server.base));
  await page.getByLabel('Nieuw wachtwoord').fill('mijn eigen lange zin');
  await page.getByLabel('Nog een keer hetzelfde wachtwoord').fill('mijn eigen lange zin');
  await page.getByRole('button', { name: 'Instellen' }).click();
  // Straight on to the second step: the SMS is on its way without a click.
  await page.getByRole('button', { name: 'Stuur een nieuwe code' }).waitFor();
  const sms = await fromOutbox(server, '.txt', (t) => t.includes('Je Inzage-code is'));
  await page.getByLabel('Code').fill(sms.match(/code is (\d{6})/)[1]);
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.getByRole('heading', { name: 'Hallo Daan' }).waitFor();
  assert.match(await page.textContent('main'), /Dossier van Daan /);
  const session = (await page.context().cookies()).find((c) => c.name === '__Host-inzage-session');
  assert.ok(session && session.secure && session.httpOnly && session.sameSite === 'Lax');
  await page.screenshot({ path: screenshotPath('first-login-375.png'), fullPage: true });
  // Log out from the menu at the top right, and log in again with the new password.
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.getByLabel('E-mail').fill('daan.nieuw@example.nl');
  await page.getByLabel('Wachtwoord', { exact: true }).fill('mijn eigen lange zin');
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.getByRole('button', { name: 'Stuur een nieuwe code' }).waitFor();
  const sms2 = await fromOutbox(server, '.txt', (t) => t.includes('Je Inzage-code is') && t !== sms);
  await page.getByLabel('Code').fill(sms2.match(/code is (\d{6})/)[1]);
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.getByRole('heading', { name: 'Hallo Daan' }).waitFor();
  for (const p of ['/', '/mijn-account', '/mijn-sessies', '/mijn-account/app']) {
    await page.goto(server.base + p);
    assert.deepEqual(await axe(page), [], `${p} at 375px`);
  }
  await page.close();
});

test('three wrong passwords pause login and say until when', async () => {
  const page = await newPage(1280);
  await page.goto(`${server.base}/inloggen`);
  for (let i = 0; i < 3; i++) {
    await page.getByLabel('E-mail').fill('sara.3@demo.inzage.nl');
    await page.getByLabel('Wachtwoord', { exact: true }).fill('niet mijn wachtwoord');
    await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  }
  await page.getByRole('alert').filter({ hasText: 'Inloggen is gepauzeerd tot' }).waitFor();
  // Even the right password is refused during the pause.
  await page.getByLabel('Wachtwoord', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  assert.match(await page.textContent('[role=alert]'), /gepauzeerd tot/);
  await fromOutbox(server, '.eml', (t) => t.includes('Inloggen is even gepauzeerd') && t.includes('sara.3@'));
  await page.close();
});

for (const width of [375, 1280]) {
  test(`sign-in pages have no serious accessibility violations at ${width} px`, async () => {
    const page = await newPage(width);
    for (const p of ['/inloggen', '/wachtwoord-opvragen', '/wachtwoord-instellen?token=x', '/hulp', '/afmelden?code=x']) {
      await page.goto(server.base + p);
      assert.deepEqual(await axe(page), [], `${p} at ${width}px`);
    }
    await page.goto(`${server.base}/inloggen`);
    await page.screenshot({ path: screenshotPath(`login-${width}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no horizontal scrolling');
    await page.close();
  });
}

test('the login form works with the keyboard alone', async () => {
  const page = await newPage(1280);
  await page.goto(`${server.base}/inloggen`);
  await page.keyboard.press('Tab'); // Naar de inhoud (skip link)
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main');
  await page.keyboard.press('Tab'); // Inzage
  await page.keyboard.press('Tab'); // Hulp nodig?
  await page.keyboard.press('Tab'); // English
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  await page.keyboard.type('test.1@demo.inzage.nl');
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Stuur een nieuwe code' }).waitFor();
  await page.close();
});

test('show password toggle is keyboard accessible', async () => {
  // Under the real CSP (script-src 'self'): our own script, nothing inline.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.base}/inloggen`);
  await page.locator('#password').focus();
  await page.keyboard.type('geheim wachtwoord');
  // The enhancement's button follows the field in the tab order.
  await page.keyboard.press('Tab');
  const focused = () =>
    page.evaluate(() => ({
      text: document.activeElement.textContent,
      pressed: document.activeElement.getAttribute('aria-pressed'),
      controls: document.activeElement.getAttribute('aria-controls'),
    }));
  assert.deepEqual(await focused(), { text: 'Toon wachtwoord', pressed: 'false', controls: 'password' });
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#password').getAttribute('type'), 'text');
  // The field has the focus back; the button says what it does now.
  await page.keyboard.press('Tab');
  assert.deepEqual(await focused(), { text: 'Verberg wachtwoord', pressed: 'true', controls: 'password' });
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#password').getAttribute('type'), 'password');
  // Without the script the page is the same form: the field stays a password field.
  const plain = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  await plain.goto(`${server.base}/inloggen`);
  assert.equal(await plain.locator('#password').getAttribute('type'), 'password');
  assert.equal(await plain.getByRole('button', { name: 'Toon wachtwoord' }).count(), 0);
  await plain.close();
  await page.close();
});
