// A real OpenID Connect provider for the tests (npm oidc-provider), as an
// organisation's identity provider would be: discovery, PKCE (S256)
// required, client_secret_basic, RS256-signed ID tokens with the nonce.
// Only its sign-in page is ours: the person types who they are (subject,
// e-mail, verified or not, with or without a second factor), so a test
// can play every kind of staff member. Never for production.
//
//   node e2e/oidc-provider.mjs            # listens on a free port
//   OIDC_PORT=4500 node e2e/oidc-provider.mjs
//
// Environment: OIDC_REDIRECT_URIS (comma-separated; default
// http://127.0.0.1:8080/inloggen/oidc), OIDC_CLIENT_ID (inzage),
// OIDC_CLIENT_SECRET (inzage-test-secret). Prints one JSON line
// {"issuer": "..."} when it listens.
import http from 'node:http';
import { once } from 'node:events';
import Provider from 'oidc-provider';

const people = new Map(); // subject -> claims given at sign-in

const server = http.createServer((req, res) => handler(req, res));
server.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID || 'inzage',
    client_secret: process.env.OIDC_CLIENT_SECRET || 'inzage-test-secret',
    redirect_uris: (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:8080/inloggen/oidc').split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    acr: null, amr: null, auth_time: null, sid: null,
    openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'],
  },
  // The e-mail claims in the ID token itself (Inzage reads no userinfo).
  conformIdTokenClaims: false,
  findAccount: (ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, ...(people.get(sub) || {}) }),
  }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['inzage-test-provider-only'] },
});
provider.on('server_error', (ctx, err) => console.error('provider error:', err));

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/interaction/${esc(uid)}/login">
<p><label for="sub">Subject</label> <input id="sub" name="sub" required></p>
<p><label for="email">E-mail</label> <input id="email" name="email" type="email"></p>
<p><input id="verified" name="verified" type="checkbox" value="1" checked> <label for="verified">E-mail verified</label></p>
<p><input id="mfa" name="mfa" type="checkbox" value="1"> <label for="mfa">Signed in with two steps</label></p>
<p><button type="submit">Sign in at the provider</button></p>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort"><p><button type="submit">Cancel</button></p></form>
</main></body></html>`;
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res) {
  const url = new URL(req.url, issuer);
  const [, , uid, action] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET' && details.prompt.name === 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid));
    return;
  }
  if (req.method === 'GET' && details.prompt.name === 'consent') {
    // The organisation's own application: consent is implied.
    const grant = new provider.Grant({
      accountId: details.session.accountId,
      clientId: details.params.client_id,
    });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const f = await body(req);
    const sub = (f.get('sub') || '').trim();
    if (!sub) throw new Error('subject required');
    const claims = {};
    if (f.get('email')) {
      claims.email = f.get('email');
      claims.email_verified = f.get('verified') === '1';
    }
    people.set(sub, claims);
    const mfa = f.get('mfa') === '1';
    await provider.interactionFinished(req, res, {
      login: { accountId: sub, amr: mfa ? ['pwd', 'otp', 'mfa'] : ['pwd'], remember: false },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'POST' && action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'cancelled at the provider',
    }, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(404).end();
}

const callback = provider.callback();
const handler = (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      console.error('interaction error:', err.message);
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad interaction');
    });
  } else {
    callback(req, res);
  }
};

process.stdout.on('error', () => {}); // the reader may have gone
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
