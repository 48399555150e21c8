import {
  checkDuration,
  countOf,
  formatShare,
  formatSmallNumber,
  timeAgo,
} from './formatValues';
import {
  describeCheckInProgress,
  describeSchedule,
  describeWindow,
} from './monitorDescriptions';

describe('formatValues', () => {
  it('reads shares, small numbers and durations', () => {
    expect(formatShare(0.714)).toBe('71 %');
    expect(formatShare(undefined)).toBe('—');
    expect(formatSmallNumber(0.005)).toBe('0.005');
    expect(formatSmallNumber(3.21e-7)).toBe('3.2e-7');
    expect(
      checkDuration({
        startedAt: '2026-12-04T10:00:00.000Z',
        finishedAt: '2026-12-04T10:00:42.000Z',
      }),
    ).toBe('42 s');
    expect(checkDuration({ startedAt: '2026-12-04T10:00:00.000Z' })).toBe('—');
  });

  it('counts with the noun in the right number', () => {
    expect(countOf(1, 'label')).toBe('1 label');
    expect(countOf(2500, 'label')).toBe('2,500 labels');
    expect(countOf(0, 'labelled input')).toBe('0 labelled inputs');
  });

  it('says how long ago a check started', () => {
    const now = Date.parse('2026-12-04T12:00:00.000Z');
    expect(timeAgo('2026-12-04T11:55:00.000Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2026-12-04T09:00:00.000Z', now)).toBe('3 hours ago');
    expect(timeAgo('2026-12-03T12:00:00.000Z', now)).toBe('yesterday');
    expect(timeAgo('2026-12-04T11:59:50.000Z', now)).toBe('just now');
  });
});

describe('monitorDescriptions', () => {
  it('describes the window, the schedule and a running check', () => {
    expect(describeWindow({ lastRequests: 500 })).toBe('last 500 requests');
    expect(describeWindow({ lastMinutes: 60 })).toBe('last 60 minutes');
    expect(describeSchedule({ intervalMinutes: 30 })).toBe('every 30 min');
    expect(describeSchedule({})).toBe('on demand');
    expect(describeCheckInProgress({ lastRequests: 500 })).toBe(
      'checking 500 requests…',
    );
    expect(describeCheckInProgress({ lastMinutes: 60 })).toBe(
      'checking the requests of the last 60 minutes…',
    );
  });
});
