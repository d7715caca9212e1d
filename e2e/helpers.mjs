// Test support: a fresh `inzage serve --demo` per test file (own data dir,
// free port), Debian's chromium through playwright-core, the outbox folder,
// and axe-core. Waiting is always for an event (a port answering, a file
// appearing), bounded, never a fixed sleep.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
export const bin = process.env.INZAGE_BIN || path.join(targetDir, 'debug', 'inzage');
export const shots = path.join(targetDir, 'e2e-screenshots');
export const DEMO_PASSWORD = 'Inzage-demo-2026';

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  s.on('error', reject);
});

async function until(what, fn, { tries = 200, every = 50 } = {}) {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/// `host`: the name the browser uses; `localhost` for passkeys (WebAuthn
/// takes no IP address), which then is also the public address.
export async function startServer(extraEnv = {}, { host = '127.0.0.1' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inzage-e2e-'));
  const port = await freePort();
  const base = `http://${host}:${port}`;
  const named = host === '127.0.0.1' ? {} : { INZAGE_PUBLIC_URL: base };
  const env = { ...process.env, INZAGE_DATA_DIR: dir, INZAGE_JOB_POLL_SECONDS: '1', INZAGE_LOG_LEVEL: 'warn', ...named, ...extraEnv };
  delete env.INZAGE_DATABASE_URL;
  const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await until('the server', async () => {
    try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; }
  }, { tries: 600 });
  // The CLI may run jobs "as of" a later instant (tests only).
  const cli = (...args) => execFileSync(bin, args, { env: { ...env, INZAGE_ALLOW_CLOCK_OVERRIDE: '1' }, encoding: 'utf8' });
  return {
    base, dir, cli, port,
    outbox: path.join(dir, 'outbox'),
    /// Stops the server; throws if it panicked or logged an error meanwhile.
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
      if (/panicked|ERROR/.test(stderr)) throw new Error(`server log shows a panic or error:\n${stderr}`);
    },
  };
}

/// The newest outbox file matching `pred`, waiting (bounded) for it.
export async function fromOutbox(server, ext, pred) {
  return until(`a ${ext} message in the outbox`, () => {
    if (!fs.existsSync(server.outbox)) return null;
    const files = fs.readdirSync(server.outbox).filter((f) => f.endsWith(ext)).sort().reverse();
    for (const f of files) {
      const text = fs.readFileSync(path.join(server.outbox, f), 'utf8');
      if (pred(text)) return text;
    }
    return null;
  });
}

/// Decodes the quoted-printable body of an .eml file enough to read links.
export const unqp = (eml) => eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/// Runs axe-core on the page; returns serious and critical violations.
export async function axe(page) {
  await page.addScriptTag({ path: path.join(here, 'node_modules', 'axe-core', 'axe.min.js') });
  const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/// Signs in through the pages with the SMS code from the outbox (each code
/// used once) and waits until the browser has left the sign-in pages.
export async function signIn(server, page, email, password = DEMO_PASSWORD) {
  await page.goto(`${server.base}/inloggen`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
  const before = smsFiles(server);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await smsStep(server, page, before);
}

/// The SMS files in the outbox now.
export function smsFiles(server) {
  return new Set(fs.existsSync(server.outbox) ? fs.readdirSync(server.outbox).filter((f) => f.endsWith('.txt')) : []);
}

/// The second step by SMS: the code is sent with the password step, without
/// a click (issue 14); it comes from the SMS that appeared in the outbox
/// since `before` (not an older one).
export async function smsStep(server, page, before) {
  const txt = () => [...smsFiles(server)];
  await page.getByRole('button', { name: 'Stuur een nieuwe code' }).waitFor();
  const file = await until('a new SMS in the outbox', () => txt().find((f) => !before.has(f)));
  const sms = fs.readFileSync(path.join(server.outbox, file), 'utf8');
  const code = sms.match(/code is (\d{6})/)[1];
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/inloggen'));
}

export function screenshotPath(name) {
  fs.mkdirSync(shots, { recursive: true });
  return path.join(shots, name);
}

/// The test identity provider (npm oidc-provider, e2e/oidc-provider.mjs)
/// with `redirect` as its client's one redirect URI; stopped by `stop()`.
export async function startIdentityProvider(redirect, secret) {
  const child = spawn(process.execPath, [path.join(here, 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_REDIRECT_URIS: redirect, OIDC_CLIENT_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.split('\n')[0]); });
    child.on('exit', (code) => reject(new Error(`the identity provider stopped (${code})`)));
  });
  child.stdout.resume();
  return {
    issuer: JSON.parse(line).issuer,
    async stop() { child.kill('SIGTERM'); await new Promise((r) => child.on('exit', r)); },
  };
}
