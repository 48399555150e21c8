import { InputError } from '@backstage/errors';
import {
  CreateRayClusterRequest,
  ScaleRayClusterRequest,
} from '@internal/backstage-plugin-ray-clusters-common';
import { unsafeCharacterIn } from '@internal/backstage-plugin-mlops-common';
import { z } from 'zod';

const sizes = {
  cpus: z.number().positive().max(1024),
  gpus: z.number().int().min(0).max(64),
  memoryBytes: z
    .number()
    .int()
    .min(100 * 1024 ** 2)
    .max(2 ** 50),
  idleTimeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600),
};

const createSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/,
        'must be 1-40 lowercase letters, digits and dashes, starting with a letter',
      ),
    title: z
      .string()
      .min(1)
      .max(255)
      .refine(
        title => !unsafeCharacterIn(title),
        'must not contain control or bidirectional characters',
      )
      .optional(),
    owner: z
      .string()
      .regex(/^group:[^/\s]+\/[^/\s]+$/, 'must be a group entity ref')
      .optional(),
    driver: z.enum(['local', 'external', 'kuberay']).optional(),
    ...Object.fromEntries(
      Object.entries(sizes).map(([k, v]) => [k, v.optional()]),
    ),
    dashboardUrl: z.string().url().optional(),
    token: z.string().min(1).max(4096).optional(),
  })
  .strict();

const scaleSchema = z
  .object(
    Object.fromEntries(
      Object.entries(sizes).map(([k, v]) => [k, v.optional()]),
    ) as { [K in keyof typeof sizes]: z.ZodOptional<(typeof sizes)[K]> },
  )
  .strict();

function parse<T>(schema: z.ZodType, body: unknown, what: string): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data as T;
  const problems = result.error.issues.map(issue => {
    const field = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${issue.keys.join(', ')} not allowed`;
    }
    return field ? `${field} ${issue.message}` : issue.message;
  });
  throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
}

export const parseCreateRequest = (body: unknown) =>
  parse<CreateRayClusterRequest>(createSchema, body, 'Ray cluster');

export const parseScaleRequest = (body: unknown) =>
  parse<ScaleRayClusterRequest>(scaleSchema, body, 'scale request');
