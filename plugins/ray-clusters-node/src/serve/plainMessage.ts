const ANSI_ESCAPE = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');
const MAX_MESSAGE_CHARS = 1000;

/**
 * Ray Serve's status message in plain words: without terminal colours, and a Python traceback
 * reduced to the exception it ended with, e.g. "Deploying app 'a' failed with exception:
 * ModuleNotFoundError: No module named 'mlops_runtime.nope'".
 */
export function plainServeMessage(message: string | undefined | null): string {
  const text = (message ?? '').replace(ANSI_ESCAPE, '');
  const lines = text.split('\n');
  const traceback = lines.findIndex(line =>
    line.includes('Traceback (most recent call last):'),
  );
  let plain: string;
  if (traceback < 0) {
    plain = text;
  } else {
    const before = [
      ...lines.slice(0, traceback),
      lines[traceback].slice(
        0,
        lines[traceback].indexOf('Traceback (most recent call last):'),
      ),
    ].join(' ');
    // The exception is the last line that is not indented (frames and code lines are).
    const exception = [...lines]
      .reverse()
      .find(line => line.trim() !== '' && !/^\s/.test(line));
    plain = [before, exception ?? ''].join(' ');
  }
  plain = plain.replace(/\s+/g, ' ').trim();
  return plain.length > MAX_MESSAGE_CHARS
    ? `${plain.slice(0, MAX_MESSAGE_CHARS - 1)}…`
    : plain;
}
