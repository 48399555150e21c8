import { ConfigReader } from '@backstage/config';
import { signInProviders } from './MlopsSignInPage';

const withProviders = (names: string[], environment = 'development') =>
  signInProviders(
    new ConfigReader({
      auth: { environment },
      mlops: { signInProviders: names },
    }),
  );

describe('signInProviders', () => {
  it('offers guest sign-in in the embedded default', () => {
    expect(withProviders(['guest'])).toEqual(['guest']);
  });

  it('never offers guest outside development', () => {
    expect(withProviders(['oidc', 'guest'], 'production')).toEqual([
      expect.objectContaining({
        id: 'oidc-auth-provider',
        title: 'Company SSO',
      }),
    ]);
  });

  it('offers nothing when no provider is configured', () => {
    expect(signInProviders(new ConfigReader({}))).toEqual([]);
  });
});
