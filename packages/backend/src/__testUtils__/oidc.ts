import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export type OidcAccount = { email: string; name: string };

/** The OpenID Connect provider of `oidcProvider.mjs`, running until `stop()`. */
export async function startOidcProvider(options: {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Record<string, OidcAccount>;
}): Promise<{ issuer: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, 'oidcProvider.mjs')],
    {
      env: {
        ...process.env,
        OIDC_PORT: String(options.port),
        OIDC_CLIENT_ID: options.clientId,
        OIDC_CLIENT_SECRET: options.clientSecret,
        OIDC_REDIRECT_URI: options.redirectUri,
        OIDC_ACCOUNTS: JSON.stringify(options.accounts),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const issuer = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', chunk => {
      output += chunk;
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) resolve(ready[1]);
    });
    child.stderr!.on('data', chunk => {
      output += chunk;
    });
    child.on('exit', code =>
      reject(new Error(`the OIDC provider exited (${code}): ${output}`)),
    );
  });
  return {
    issuer,
    stop: () =>
      new Promise(resolve => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Cookies by origin, as a browser keeps them for the few hosts of a sign-in. */
class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  store(url: string, response: Response) {
    const origin = new URL(url).origin;
    const cookies = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.byOrigin.set(origin, cookies);
  }

  header(url: string): string {
    const cookies = this.byOrigin.get(new URL(url).origin) ?? new Map();
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Signs `login` in to the Backstage backend the way a browser does: the auth plugin's OIDC start
 * URL, the provider's login form, the callback, and the backend's refresh endpoint, which answers
 * with the Backstage token of the user the sign-in resolver found.
 */
export async function signInWithOidc(
  backendUrl: string,
  login: string,
): Promise<string> {
  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: jar.header(url) },
    });
    jar.store(url, response);
    return response;
  };

  const callback = `${backendUrl}/api/auth/oidc/handler/frame`;
  let url = `${backendUrl}/api/auth/oidc/start?env=development&scope=${encodeURIComponent(
    'openid email profile offline_access',
  )}`;
  for (let step = 0; step < 20 && !url.startsWith(callback); step++) {
    const response = await go(url);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
    if (!action || !prompt) {
      throw new Error(`sign-in stopped at ${url}: ${response.status} ${page}`);
    }
    const form = await go(new URL(action, url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt, login, password: 'any' }).toString(),
    });
    url = new URL(form.headers.get('location')!, url).toString();
  }
  const frame = await go(url);
  if (!frame.ok) {
    throw new Error(`the sign-in callback answered ${frame.status}`);
  }
  const refresh = await go(
    `${backendUrl}/api/auth/oidc/refresh?env=development`,
    {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    },
  );
  const body = await refresh.json();
  const token = body?.backstageIdentity?.token;
  if (!token) {
    throw new Error(
      `sign-in of ${login} gave no Backstage token: ${JSON.stringify(body)}`,
    );
  }
  return token;
}
