import { experimentsPlugin } from './plugin';

describe('experiments', () => {
  it('should export plugin', () => {
    expect(experimentsPlugin).toBeDefined();
  });
});
