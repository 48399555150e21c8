import { AuthService } from '@backstage/backend-plugin-api';

/**
 * A fetch that calls another plugin with this plugin's own service credentials, for the
 * generated API clients of the portal's plugins.
 */
export function serviceTokenFetch(
  auth: AuthService,
  targetPluginId: string,
): { fetch: typeof fetch } {
  return {
    fetch: async (input, init) => {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId,
      });
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  };
}
