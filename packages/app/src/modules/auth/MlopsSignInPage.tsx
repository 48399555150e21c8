import { SignInPage, SignInProviderConfig } from '@backstage/core-components';
import { SignInPageProps } from '@backstage/core-plugin-api';
import { Config } from '@backstage/config';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { oidcAuthApiRef } from './oidcAuthApi';

const companySso: SignInProviderConfig = {
  id: 'oidc-auth-provider',
  title: 'Company SSO',
  message: 'Sign in with your company account',
  apiRef: oidcAuthApiRef,
};

/**
 * The providers named in mlops.signInProviders: the company's OIDC provider in production, guest
 * in the embedded default — and guest only in the development environment.
 */
export function signInProviders(
  config: Config,
): Array<'guest' | SignInProviderConfig> {
  const names = config.getOptionalStringArray('mlops.signInProviders') ?? [];
  const isDevelopment =
    config.getOptionalString('auth.environment') === 'development';
  return [
    ...(names.includes('oidc') ? [companySso] : []),
    ...(names.includes('guest') && isDevelopment ? ['guest' as const] : []),
  ];
}

export function MlopsSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  return <SignInPage {...props} auto providers={signInProviders(configApi)} />;
}
