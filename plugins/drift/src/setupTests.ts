import '@testing-library/jest-dom';

import { configure } from '@testing-library/react';

// Rendering the whole test app and typing into forms takes seconds on a busy 2-core machine.
jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 10_000 });

/**
 * jsdom lays nothing out and has no ResizeObserver. This one reports every observed element as
 * 800×300, so recharts' ResponsiveContainer draws its chart in tests.
 */
class FixedSizeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    const contentRect = { width: 800, height: 300 } as DOMRectReadOnly;
    this.callback(
      [{ target, contentRect } as ResizeObserverEntry],
      this as unknown as ResizeObserver,
    );
  }
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??=
  FixedSizeResizeObserver as unknown as typeof ResizeObserver;
