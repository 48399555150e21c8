import { boundedProblems, VERDICT_LIMITS } from './CustomModelChecker';

describe('what a custom model check may send back', () => {
  it('keeps at most 20 problems of at most 500 characters, 3500 in all, and says how many more there were', () => {
    const raw = Array.from({ length: 100 }, (_, i) => ({
      code: 'module_error',
      message: `${i}: ${'x'.repeat(10_000)}`,
      line: i + 1,
    }));
    const problems = boundedProblems(raw);
    expect(problems.length).toBeLessThanOrEqual(VERDICT_LIMITS.problems);
    expect(problems.every(p => p.message.length <= 500)).toBe(true);
    const total = problems.reduce((sum, p) => sum + p.message.length, 0);
    expect(total).toBeLessThanOrEqual(3500 + 100);
    expect(problems[problems.length - 1]).toEqual({
      code: 'more_problems',
      message: `and ${100 - (problems.length - 1)} more problem(s)`,
    });

    const many = boundedProblems(
      Array.from({ length: 30 }, () => ({ code: 'x_y', message: 'short' })),
    );
    expect(many).toHaveLength(20);
    expect(many[19].message).toBe('and 11 more problem(s)');
  });

  it('keeps only well-formed codes and lines', () => {
    expect(
      boundedProblems([
        { code: 'Not A Code <b>', message: 42, line: -3 },
        null,
        { code: 'syntax_error', message: 'line 2: invalid syntax', line: 2 },
      ]),
    ).toEqual([
      { code: 'check_failed', message: 'the check reported a problem' },
      { code: 'check_failed', message: 'the check reported a problem' },
      { code: 'syntax_error', message: 'line 2: invalid syntax', line: 2 },
    ]);
  });
});
