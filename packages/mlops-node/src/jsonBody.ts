import { InputError } from '@backstage/errors';
import express from 'express';

/** Limits of {@link jsonBody}. @public */
export type JsonBodyLimits = {
  /** Largest body, in bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays; the body itself is depth 1. */
  maxDepth: number;
};

/**
 * Parses JSON bodies like `express.json`, but answers 400 naming the limit for a body larger than
 * `maxBytes` or nested deeper than `maxDepth`. The depth is measured without recursion, before
 * any route (or validator) walks the body recursively.
 *
 * @public
 */
export function jsonBody(limits: JsonBodyLimits): express.RequestHandler {
  const parse = express.json({ limit: limits.maxBytes });
  return (req, res, next) => {
    parse(req, res, error => {
      if (error) {
        next(
          (error as { type?: string }).type === 'entity.too.large'
            ? new InputError(
                `The request body is larger than ${formatBytes(
                  limits.maxBytes,
                )}, the most this route accepts`,
              )
            : error,
        );
        return;
      }
      const depth = jsonDepthAbove(req.body, limits.maxDepth);
      if (depth !== undefined) {
        next(
          new InputError(
            `The request body is nested more than ${limits.maxDepth} levels deep, the most this route accepts`,
          ),
        );
        return;
      }
      next();
    });
  };
}

/**
 * Undefined when `value` nests at most `maxDepth` levels of objects and arrays; else a depth
 * above it. Iterative, so that any depth is measured without growing the call stack.
 *
 * @public
 */
export function jsonDepthAbove(
  value: unknown,
  maxDepth: number,
): number | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return depth;
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') {
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
