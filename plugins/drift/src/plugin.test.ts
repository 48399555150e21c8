import { driftPlugin } from './plugin';

describe('drift', () => {
  it('should export plugin', () => {
    expect(driftPlugin).toBeDefined();
  });
});
