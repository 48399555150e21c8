import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';

/**
 * A fetch for the generated API clients of the portal's plugins that calls another plugin with a
 * token for it: on behalf of `onBehalfOf` (a user, so that the other plugin checks what that
 * user may see), or with this plugin's own service credentials.
 *
 * @public
 */
export function pluginRequestFetch(
  auth: AuthService,
  targetPluginId: string,
  onBehalfOf?: BackstageCredentials,
): { fetch: typeof fetch } {
  return {
    fetch: async (input, init) => {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: onBehalfOf ?? (await auth.getOwnServiceCredentials()),
        targetPluginId,
      });
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  };
}
