// A real OpenID Connect provider for tests/accounts/test_oidc.py: node-oidc-provider with its
// development login pages. Any login name is accepted; the person's groups are read from the
// JSON file GROUPS_FILE at each sign-in ({"anna": ["g-secretariat"]}), as a directory would
// give them, so a test can move a person between groups.
//   PORT=... REDIRECT_URI=... GROUPS_FILE=... node provider.mjs
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'consult',
    client_secret: 'consult-test-secret',
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Claims in the ID token, as Entra ID puts the groups there.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const directory = JSON.parse(readFileSync(process.env.GROUPS_FILE, 'utf8'));
        return {
          sub: id,
          email: `${id}@region.example`,
          email_verified: true,
          name: id.charAt(0).toUpperCase() + id.slice(1),
          groups: directory[id] || [],
        };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
});

provider.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
