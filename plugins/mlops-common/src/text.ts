/**
 * Characters that change how text is shown rather than what it says: C0 and C1 control
 * characters (ANSI escape sequences start with ESC, U+001B), DEL, and the Unicode bidirectional
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that can make a name read
 * differently from what it is.
 */
const UNSAFE_CHARACTER =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
// The same, less tab, line feed and carriage return, which multi-line text may hold.
const UNSAFE_IN_MULTILINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Why `text` may not be shown as a name, description or path, or undefined when it may: the
 * first control or bidirectional-override character in it, as its code point (e.g. "control
 * character U+001B at position 4"). With `multiline`, tabs and line breaks are allowed.
 *
 * @public
 */
export function unsafeCharacterIn(
  text: string,
  options: { multiline?: boolean } = {},
): string | undefined {
  const match = (
    options.multiline ? UNSAFE_IN_MULTILINE : UNSAFE_CHARACTER
  ).exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const kind = code >= 0x202a ? 'bidirectional control' : 'control';
  return `${kind} character U+${code
    .toString(16)
    .toUpperCase()
    .padStart(4, '0')} at position ${match.index + 1}`;
}
