import SwaggerParser from '@apidevtools/swagger-parser';
import fs from 'node:fs';
import path from 'node:path';
import { OIP_SCHEMAS } from './oipSchemas';

const OIP_FILE = 'open-inference-protocol-rest.openapi.yaml';

/** MLOPS_SPECS_DIR (scripts/test.sh sets it), else ../shared/specs next to the repository root. */
function upstreamSpec(): string | undefined {
  const repoRoot = path.resolve(__dirname, '../../../..');
  const dir =
    process.env.MLOPS_SPECS_DIR || path.resolve(repoRoot, '../shared/specs');
  const file = path.join(dir, OIP_FILE);
  return fs.existsSync(file) ? file : undefined;
}

/** The upstream schemas without what the copy leaves out: titles, examples, empty descriptions. */
function withoutDocumentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDocumentation);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([key, v]) =>
          key !== 'title' &&
          key !== 'x-examples' &&
          !(key === 'description' && v === ''),
      )
      .map(([key, v]) => [key, withoutDocumentation(v)]),
  );
}

const specFile = upstreamSpec();
(specFile ? describe : describe.skip)(
  'OIP_SCHEMAS (against the upstream OIP REST spec)',
  () => {
    it('are the upstream request and response schemas', async () => {
      const upstream: any = await SwaggerParser.parse(specFile!);
      expect(OIP_SCHEMAS).toEqual(
        withoutDocumentation(upstream.components.schemas),
      );
    });
  },
);
