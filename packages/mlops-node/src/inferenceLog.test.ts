import { ConfigReader } from '@backstage/config';
import { inferenceLogUri, readInferenceLogSettings } from './inferenceLog';

const read = (inferenceLog: object) =>
  readInferenceLogSettings(
    new ConfigReader({ mlops: { serving: { inferenceLog } } }),
  );

describe('readInferenceLogSettings', () => {
  it('is off without a uri and fills in the defaults', () => {
    expect(readInferenceLogSettings(new ConfigReader({}))).toBeUndefined();
    expect(read({ sampleRate: 0.5 })).toBeUndefined();
    expect(read({ uri: 'file:///data/inference-logs/' })).toEqual({
      uri: 'file:///data/inference-logs',
      sampleRate: 1,
      batchSize: 100,
      flushIntervalSeconds: 10,
    });
  });

  it('names the setting that is wrong', () => {
    expect(() => read({ uri: 'relative/folder' })).toThrow(
      'mlops.serving.inferenceLog.uri must be file:///absolute/folder or s3://bucket/prefix',
    );
    expect(() => read({ uri: 's3://b', sampleRate: 2 })).toThrow(
      'mlops.serving.inferenceLog.sampleRate must be between 0 and 1',
    );
    expect(() => read({ uri: 's3://b', batchSize: 0.5 })).toThrow(
      'mlops.serving.inferenceLog.batchSize must be a positive integer',
    );
  });

  it("puts each deployment's log in its own folder", () => {
    expect(inferenceLogUri({ uri: 's3://logs/inference' }, 'd1')).toBe(
      's3://logs/inference/d1',
    );
  });
});
