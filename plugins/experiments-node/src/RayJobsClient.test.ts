import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import { closedPortUrl } from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import { RayJobsClient } from './RayJobsClient';

// A real Ray head started by the test command (scripts/test.sh).
const dashboardUrl = process.env.MLOPS_TEST_RAY_URL;
const token = process.env.MLOPS_TEST_RAY_TOKEN;
if (!dashboardUrl || !token) {
  // eslint-disable-next-line no-console
  console.warn(
    'Skipping the Ray Jobs client tests: MLOPS_TEST_RAY_URL and MLOPS_TEST_RAY_TOKEN must name a running Ray head and its token; scripts/test.sh sets them.',
  );
}

(dashboardUrl && token ? describe : describe.skip)('RayJobsClient', () => {
  const client = new RayJobsClient({ dashboardUrl: dashboardUrl!, token });

  it('submits once per submission id, and follows the job to its end', async () => {
    const submissionId = `test-${randomUUID()}`;
    const job = {
      submissionId,
      entrypoint: 'python -c "import os; print(os.environ[\'GREETING\'])"',
      envVars: { GREETING: 'hello from the portal' },
      entrypointNumCpus: 0.1,
    };
    expect(await client.submit(job)).toEqual({
      jobId: expect.any(String),
      alreadySubmitted: false,
    });
    expect(await client.submit(job)).toEqual({ alreadySubmitted: true });

    const deadline = Date.now() + 30_000;
    let info = await client.getJob(submissionId);
    while (info && !['SUCCEEDED', 'FAILED'].includes(info.status)) {
      if (Date.now() > deadline) throw new Error('the Ray job did not end');
      await new Promise(r => setTimeout(r, 300));
      info = await client.getJob(submissionId);
    }
    expect(info).toMatchObject({ submissionId, status: 'SUCCEEDED' });
    expect(await client.getLogs(submissionId)).toContain(
      'hello from the portal',
    );
    expect(await client.stop(submissionId)).toBe(false);
    expect(await client.listSubmissionIds()).toContain(submissionId);
  }, 40_000);

  it('answers undefined or false for a submission Ray does not know', async () => {
    const unknown = `missing-${randomUUID()}`;
    expect(await client.getJob(unknown)).toBeUndefined();
    expect(await client.getLogs(unknown)).toBeUndefined();
    expect(await client.stop(unknown)).toBe(false);
  });

  it('says when Ray is unreachable or refuses the token', async () => {
    const closed = await closedPortUrl();
    await expect(
      new RayJobsClient({ dashboardUrl: closed, token }).getJob('x'),
    ).rejects.toThrow(
      new RayUnavailableError(`Ray at ${closed} is unreachable (ECONNREFUSED)`),
    );
    await expect(
      new RayJobsClient({ dashboardUrl: dashboardUrl!, token: 'wrong' }).getJob(
        'x',
      ),
    ).rejects.toThrow(/refused the token \(HTTP 40[13]\)/);
  });
});
