import { rayClustersPlugin } from './plugin';

describe('ray-clusters', () => {
  it('should export plugin', () => {
    expect(rayClustersPlugin).toBeDefined();
  });
});
