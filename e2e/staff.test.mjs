// Issue 5 (first slice): a staff member signs in (the demo organisation
// allows an SMS code for staff) and lands on "Mijn cliënten": the clients of
// their teams, their own clients first, searchable; axe-core at 375 and
// 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fromOutbox, launch, axe, screenshotPath, DEMO_PASSWORD } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a persoonlijk begeleider signs in and sees Mijn cliënten, own clients first', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/inloggen`);
  await page.getByLabel('E-mail').fill('anna.bakker@demo.inzage.nl');
  await page.getByLabel('Wachtwoord', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('button', { name: 'Stuur mij een sms-code' }).click();
  const sms = await fromOutbox(server, '.txt', (t) => /code is \d{6}/.test(t));
  await page.getByLabel('Code').fill(sms.match(/code is (\d{6})/)[1]);
  await page.getByRole('button', { name: 'Verder' }).click();
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
