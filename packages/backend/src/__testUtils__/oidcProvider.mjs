// A real OpenID Connect provider (the certified `oidc-provider` package) for sign-in tests, run as
// a child process because the package is ESM-only. Accounts sign in through its development login
// form with any password; consent is granted up front. Prints "ready <issuer>" when listening.
//
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI,
//   OIDC_ACCOUNTS='{"alice":{"email":"alice@example.com","name":"Alice"}}'
import Provider from 'oidc-provider';

const env = name => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const port = Number(env('OIDC_PORT'));
const accounts = JSON.parse(env('OIDC_ACCOUNTS'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('OIDC_CLIENT_ID'),
      client_secret: env('OIDC_CLIENT_SECRET'),
      redirect_uris: [env('OIDC_REDIRECT_URI')],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  issueRefreshToken: async () => true,
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, email_verified: true, ...account }),
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid offline_access email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
