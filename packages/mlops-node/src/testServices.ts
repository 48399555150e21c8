/**
 * Reads the address of a real service that the test command (`make test`) started for the test
 * suite. Tests talk to real Ray and MLflow; without them they fail with this message instead of
 * silently passing.
 *
 * @public
 */
export function requireTestService(envVar: string): string {
  const value = process.env[envVar];
  if (!value) {
    throw new Error(
      `${envVar} is not set: run the tests with 'make test', which starts Ray and MLflow for them`,
    );
  }
  return value;
}
