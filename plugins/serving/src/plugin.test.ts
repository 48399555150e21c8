import { servingPlugin } from './plugin';

describe('serving', () => {
  it('should export plugin', () => {
    expect(servingPlugin).toBeDefined();
  });
});
