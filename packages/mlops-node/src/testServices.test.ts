import { probeHttp } from './probeHttp';
import { closedPortUrl } from './testServices';

describe('closedPortUrl', () => {
  it('gives an address whose connection is refused', async () => {
    const url = await closedPortUrl();

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await probeHttp(url)).toEqual({
      ok: false,
      message: `${url} refused the connection: is the server running?`,
    });
  });
});
