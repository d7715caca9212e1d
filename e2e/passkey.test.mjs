// Issue 17 item 4: passkeys, with Chromium's virtual authenticator (CDP
// WebAuthn domain: a platform authenticator that verifies its user). A
// client adds a passkey in "Mijn account" at 320 px, uses it instead of
// the SMS code, then instead of the password too, and removes it again
// with her password; she hears of both by e-mail. axe-core on each page.
// The server is reached at http://localhost:PORT, its public address:
// WebAuthn takes no IP address as relying party (ADR 0029).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, axe, signIn, fromOutbox, unqp, DEMO_PASSWORD } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startServer({}, { host: 'localhost' });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

/// A page with a virtual authenticator of its own.
async function pageWithAuthenticator(width) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { page, credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

const signedInAs = async (page) => {
  await page.waitForURL((u) => !u.pathname.startsWith('/inloggen'));
  const session = (await page.context().cookies()).find((c) => c.name === '__Host-inzage-session');
  assert.ok(session && session.httpOnly, 'a session cookie');
};

const signOut = async (page) => {
  await page.getByRole('button', { name: 'Uitloggen' }).first().click();
  await page.waitForURL((u) => !u.pathname.startsWith('/mijn-account'));
};

test('a client adds a passkey, signs in with it instead of the code and of the password, and removes it', async () => {
  const { page, credentials } = await pageWithAuthenticator(320);
  await signIn(server, page, 'test.1@demo.inzage.nl');
  await page.goto(`${server.base}/mijn-account`);
  await page.getByText('Passkey toevoegen').click();
  await page.getByLabel('Naam van de passkey').fill('Mijn telefoon');
  await page.getByLabel('Ik wil ook zonder wachtwoord inloggen').check();
  await page.locator('#pw-pk').fill(DEMO_PASSWORD);
  await page.locator('form[action="/mijn-account/passkey"] button[type=submit]').click();
  await page.getByRole('heading', { level: 1, name: 'Passkey maken' }).waitFor();
  assert.deepEqual(await axe(page), [], 'the page that makes the passkey');
  await page.getByRole('button', { name: 'Passkey maken' }).click();
  await page.getByText('Je passkey is toegevoegd.').waitFor();
  assert.equal((await credentials()).length, 1, 'the authenticator holds it');
  assert.ok((await credentials())[0].isResidentCredential, 'found without an address');
  assert.match(await page.textContent('main'), /Mijn telefoon/);
  assert.deepEqual(await axe(page), [], 'Mijn account with a passkey');
  const added = await fromOutbox(server, '.eml', (t) => unqp(t).includes('"Mijn telefoon" toegevoegd'));
  assert.match(unqp(added), /test\.1@demo\.inzage\.nl/);
  assert.match(unqp(added), /zonder wachtwoord/);

  // The password, then the passkey instead of the SMS code.
  await signOut(page);
  await page.goto(`${server.base}/inloggen`);
  await page.getByLabel('E-mail').fill('test.1@demo.inzage.nl');
  await page.getByLabel('Wachtwoord', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.getByRole('button', { name: 'Passkey gebruiken' }).waitFor();
  assert.deepEqual(await axe(page), [], 'the second step with the passkey offered');
  await page.getByRole('button', { name: 'Passkey gebruiken' }).click();
  await signedInAs(page);

  // The passkey alone: no address, no password.
  await page.goto(`${server.base}/mijn-account`);
  await signOut(page);
  await page.goto(`${server.base}/inloggen`);
  const offer = page.getByRole('button', { name: 'Inloggen met een passkey' });
  await offer.waitFor();
  await offer.click();
  await page.getByRole('heading', { level: 1, name: 'Inloggen met een passkey' }).waitFor();
  assert.deepEqual(await axe(page), [], 'the passkey sign-in page');
  await page.getByLabel('Publieke computer').waitFor();
  await page.getByRole('button', { name: 'Passkey gebruiken' }).click();
  await signedInAs(page);
  await page.goto(`${server.base}/mijn-account`);
  assert.match(await page.textContent('main'), /Laatst gebruikt op/);

  // Removing it asks for the password, and tells the holder.
  await page.getByText('Mijn telefoon verwijderen').click();
  await page.locator('#pw-pk-1').fill('niet mijn wachtwoord');
  await page.getByRole('button', { name: 'Passkey verwijderen' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.textContent('main'), /Mijn telefoon/);
  await page.getByText('Mijn telefoon verwijderen').click();
  await page.locator('#pw-pk-1').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Passkey verwijderen' }).click();
  await page.getByText('Je passkey is verwijderd.').waitFor();
  assert.match(await page.textContent('main'), /Je hebt nog geen passkey/);
  await fromOutbox(server, '.eml', (t) => unqp(t).includes('"Mijn telefoon" is zojuist verwijderd'));

  // The authenticator still has it; the portal no longer takes it.
  await signOut(page);
  await page.goto(`${server.base}/inloggen`);
  await page.getByRole('button', { name: 'Inloggen met een passkey' }).click();
  // Before the answer goes out, the page shows no (empty) alert.
  assert.equal(await page.getByRole('alert').count(), 0);
  await page.getByRole('button', { name: 'Passkey gebruiken' }).click();
  await page.waitForURL((u) => u.pathname === '/inloggen/met-passkey/klaar');
  assert.match(await page.getByRole('alert').textContent(), /lukt niet/);
  assert.ok(!(await page.context().cookies()).some((c) => c.name === '__Host-inzage-session'));
  await page.close();
});

test('at an address passkeys do not belong to, the offer stays hidden', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  await page.goto(`http://127.0.0.1:${server.port}/inloggen`);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Inloggen met een passkey' }).count(), 0);
  await page.close();
});
