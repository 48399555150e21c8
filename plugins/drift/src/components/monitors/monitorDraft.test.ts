import {
  emptyMonitorDraft,
  monitorDraftProblems,
  monitorNameFor,
  requestFromMonitorDraft,
} from './monitorDraft';

const valid = {
  ...emptyMonitorDraft,
  deploymentId: 'd1',
  name: 'mnist-prod-drift',
};

describe('monitorDraft', () => {
  it('names a monitor after its deployment, within 63 characters', () => {
    expect(monitorNameFor('mnist-prod')).toBe('mnist-prod-drift');
    expect(monitorNameFor('a'.repeat(63))).toHaveLength(63);
  });

  it('accepts the defaults once a deployment and a name are set', () => {
    expect(monitorDraftProblems(valid)).toEqual({});
    expect(requestFromMonitorDraft(valid)).toEqual({
      name: 'mnist-prod-drift',
      deploymentId: 'd1',
      window: { lastRequests: 500 },
      alpha: 0.05,
    });
  });

  it('checks each field against the limits of the API', () => {
    expect(
      monitorDraftProblems({
        ...valid,
        name: 'Mnist_Drift',
        windowSize: '5',
        schedule: 'every',
        intervalMinutes: '2.5',
        alpha: '0.6',
      }),
    ).toEqual({
      name: expect.stringMatching(/^Lowercase letters/),
      windowSize: 'From 10 to 100000',
      intervalMinutes: 'A whole number is needed',
      alpha: 'A significance level above 0 and at most 0.5',
    });
    expect(
      monitorDraftProblems({
        ...valid,
        windowKind: 'lastMinutes',
        windowSize: '5',
      }),
    ).toEqual({});
  });

  it('sends the window kind and the interval only when scheduled', () => {
    expect(
      requestFromMonitorDraft({
        ...valid,
        windowKind: 'lastMinutes',
        windowSize: '60',
        schedule: 'every',
        intervalMinutes: '30',
      }),
    ).toEqual({
      name: 'mnist-prod-drift',
      deploymentId: 'd1',
      window: { lastMinutes: 60 },
      intervalMinutes: 30,
      alpha: 0.05,
    });
  });
});
