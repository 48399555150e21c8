/**
 * For tests against a moto server: moto checks credentials only while its auth is switched on.
 * Runs `fn` with auth on (every request must carry known credentials), then restores the setting.
 */
export async function withMotoAuth<T>(
  s3Url: string,
  fn: () => Promise<T>,
): Promise<T> {
  const setNoAuthActions = async (count: string) => {
    const res = await fetch(`${s3Url}/moto-api/reset-auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: count,
    });
    return (await res.json()).PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT as string;
  };
  const previous = await setNoAuthActions('0');
  try {
    return await fn();
  } finally {
    await setNoAuthActions(previous);
  }
}
