// Issue 17 item 3: a caregiver signs in through the organisation's own
// identity provider (a real OpenID Connect provider, npm oidc-provider),
// which the functional admin set up on its page; our second step still
// follows. axe-core on the admin page and the sign-in page with its button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, startIdentityProvider, launch, axe, signIn, smsFiles, smsStep } from './helpers.mjs';

const SECRET = crypto.randomBytes(24).toString('hex');
let server, idp, browser;
before(async () => {
  server = await startServer({ INZAGE_SETTINGS_KEY: crypto.randomBytes(32).toString('base64') });
  idp = await startIdentityProvider(`${server.base}/inloggen/oidc`, SECRET);
  browser = await launch();
});
after(async () => { await browser?.close(); await idp?.stop(); await server?.stop(); });

const newPage = (width) => browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });

test('the functional admin sets up the provider; a caregiver signs in through it and then enters the SMS code', async () => {
  const admin = await newPage(1280);
  await signIn(server, admin, 'ria.smit@demo.inzage.nl');
  await admin.goto(`${server.base}/beheer`);
  await admin.getByRole('link', { name: 'Inloggen via de organisatie' }).click();
  assert.match(await admin.textContent('main'), new RegExp(`${server.base}/inloggen/oidc`));
  await admin.getByLabel('Issuer (adres van de identity provider)').fill(idp.issuer);
  await admin.getByLabel('Client ID').fill('inzage');
  await admin.getByLabel('Client secret').fill(SECRET);
  await admin.getByLabel('Knop tonen op de inlogpagina').check();
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  await admin.getByText('Opgeslagen').first().waitFor();
  assert.deepEqual(await axe(admin), [], 'the provider settings page');
  await admin.close();

  // At 320 px, as on a small phone.
  const page = await newPage(320);
  await page.goto(`${server.base}/inloggen`);
  const button = page.getByRole('button', { name: /Inloggen via / });
  await button.waitFor();
  assert.deepEqual(await axe(page), [], 'the sign-in page with the provider button');
  const before = smsFiles(server);
  await button.click();
  // The provider's own sign-in page.
  await page.waitForURL((u) => u.href.startsWith(idp.issuer));
  await page.getByLabel('Subject').fill('emp-anna-bakker');
  await page.getByLabel('E-mail', { exact: true }).fill('anna.bakker@demo.inzage.nl');
  await page.getByRole('button', { name: 'Sign in at the provider' }).click();
  // Back with us: our own second step, then the staff start page.
  await smsStep(server, page, before);
  assert.equal(new URL(page.url()).origin, server.base);
  await page.getByRole('heading', { level: 1, name: 'Mijn cliënten' }).waitFor();
  const session = (await page.context().cookies()).find((c) => c.name === '__Host-inzage-session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Lax');
  // The state cookie is gone once used.
  assert.ok(!(await page.context().cookies()).some((c) => c.name === '__Host-inzage-oidc'));
  await page.close();
});

test('someone the provider knows but Inzage does not gets a clear message, not an account', async () => {
  const page = await newPage(375);
  await page.goto(`${server.base}/inloggen`);
  await page.getByRole('button', { name: /Inloggen via / }).click();
  await page.waitForURL((u) => u.href.startsWith(idp.issuer));
  await page.getByLabel('Subject').fill('emp-unknown');
  await page.getByLabel('E-mail', { exact: true }).fill('nieuw@demo.inzage.nl');
  await page.getByRole('button', { name: 'Sign in at the provider' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /nog geen account in Inzage/);
  assert.equal(new URL(page.url()).pathname, '/inloggen/oidc');
  assert.ok(!(await page.context().cookies()).some((c) => c.name === '__Host-inzage-session'));
  await page.close();
});
