import { plainServeMessage } from './plainMessage';

describe('plainServeMessage', () => {
  it('reduces a traceback to the exception it ended with', () => {
    const message = [
      "Deploying app 'a' failed with exception:",
      'Traceback (most recent call last):',
      '  File "/x/application_state.py", line 926, in _reconcile_build_app_task',
      '    raise value.as_instanceof_cause()',
      'ray.exceptions.RayTaskError(RuntimeError): \u001b[36mray::build_serve_application()\u001b[39m (pid=1)',
      'RuntimeError: Traceback (most recent call last):',
      '  File "<frozen importlib._bootstrap>", line 1142, in _find_and_load_unlocked',
      "ModuleNotFoundError: No module named 'nope'",
      '',
    ].join('\n');
    expect(plainServeMessage(message)).toBe(
      "Deploying app 'a' failed with exception: ModuleNotFoundError: No module named 'nope'",
    );
  });

  it('keeps a message without a traceback, on one line', () => {
    expect(plainServeMessage('Deployment is\n  waiting ')).toBe(
      'Deployment is waiting',
    );
    expect(plainServeMessage(undefined)).toBe('');
  });
});
