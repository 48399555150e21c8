import { datasetsPlugin } from './plugin';

describe('datasets', () => {
  it('should export plugin', () => {
    expect(datasetsPlugin).toBeDefined();
  });
});
