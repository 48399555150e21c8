export interface Config {
  mlops?: {
    /**
     * Sign-in providers offered on the sign-in page: "oidc" (the company's OpenID Connect
     * provider, auth.providers.oidc) and "guest" (only offered when auth.environment is
     * "development").
     * @visibility frontend
     */
    signInProviders?: Array<'guest' | 'oidc'>;
  };
}
