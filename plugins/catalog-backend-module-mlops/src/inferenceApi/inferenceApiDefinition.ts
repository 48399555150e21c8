import { OIP_SCHEMAS } from './oipSchemas';

/** What the definition needs to know about a deployment. */
export type InferenceApiTarget = {
  /** The deployment's slug: the model name in its OIP paths. */
  name: string;
  /** Registered model name in MLflow. */
  modelName: string;
  /** Base URL of the inference API; absent while Ray Serve has not reported it. */
  endpoint?: string;
  /** Versions that answer requests: those with traffic and the shadow version. */
  versions: string[];
  /** Percent of traffic per version, as the deployment routes it. */
  weights: Record<string, number>;
};

/** Header in which the ingress says which version answered. */
const VERSION_HEADER = 'X-Model-Version';

const json = (schema: object) => ({
  content: { 'application/json': { schema } },
});
const schema = (name: keyof typeof OIP_SCHEMAS) => ({
  $ref: `#/components/schemas/${name}`,
});
const error = (description: string) => ({
  description,
  ...json(schema('inference_error_response')),
});

/** Answers the ingress gives to every call that needs a key (runtime/.../serve/ingress.py). */
const keyedErrors = {
  '401': {
    description: 'No API key, or one that is unknown, revoked or expired.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
    ...json(schema('inference_error_response')),
  },
  '404': error('Another model or a version this deployment does not serve.'),
  '429': {
    description: "Over the key's rate limit.",
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before the next request.',
        schema: { type: 'integer' },
      },
    },
    ...json(schema('inference_error_response')),
  },
};

const versioned = {
  [VERSION_HEADER]: {
    description: 'The model version that answered.',
    schema: { type: 'string' },
  },
};

function modelOperations(options: {
  modelName: string;
  pinned: boolean;
  operationSuffix: string;
}) {
  const { pinned, operationSuffix } = options;
  const which = pinned
    ? 'The given version'
    : 'The version traffic is routed to';
  return {
    metadata: {
      get: {
        operationId: `modelMetadata${operationSuffix}`,
        summary: 'Model Metadata',
        description: `${which}: its inputs and outputs (from the MLflow signature of ${options.modelName}).`,
        responses: {
          '200': {
            description: 'OK',
            headers: versioned,
            ...json(schema('metadata_model_response')),
          },
          ...keyedErrors,
          '503': error('The version is not available yet.'),
        },
      },
    },
    ready: {
      get: {
        operationId: `modelReady${operationSuffix}`,
        summary: 'Model Ready',
        description: `Whether ${which.toLowerCase()} can answer inference requests.`,
        responses: {
          '200': { description: 'Ready.', headers: versioned },
          ...keyedErrors,
          '503': error('The version is not ready.'),
        },
      },
    },
    infer: {
      post: {
        operationId: `infer${operationSuffix}`,
        summary: 'Inference',
        description: pinned
          ? 'Inference by the given version, whatever the traffic split.'
          : 'Inference by a version chosen by the traffic split (canary weights).',
        requestBody: {
          required: true,
          ...json(schema('inference_request')),
        },
        responses: {
          '200': {
            description: 'OK',
            headers: versioned,
            ...json(schema('inference_response')),
          },
          '400': error(
            'The request does not fit the protocol or the model signature; the error names the problem.',
          ),
          ...keyedErrors,
          '413': error('The request body is too large.'),
          '503': error('The version is not available yet.'),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3 document of one deployment's inference API: the Open Inference Protocol v2 REST
 * paths the portal's ingress serves, with this deployment's model name filled in, its live
 * versions as the only allowed `version`, and its endpoint as the server.
 */
export function inferenceApiDefinition(target: InferenceApiTarget): object {
  const model = `/v2/models/${encodeURIComponent(target.name)}`;
  const latest = modelOperations({
    modelName: target.modelName,
    pinned: false,
    operationSuffix: '',
  });
  const pinned = modelOperations({
    modelName: target.modelName,
    pinned: true,
    operationSuffix: 'Version',
  });
  const version = {
    name: 'version',
    in: 'path',
    required: true,
    description: 'A model version this deployment serves.',
    schema:
      target.versions.length > 0
        ? { type: 'string', enum: target.versions }
        : { type: 'string' },
  };
  const split = Object.entries(target.weights)
    .map(([v, weight]) => `version ${v}: ${weight}%`)
    .join(', ');
  return {
    openapi: '3.0.3',
    info: {
      title: `${target.name} inference API`,
      version: target.versions.join(', ') || 'none',
      description: [
        `Open Inference Protocol v2 REST API of the registered model ${target.modelName}, served on Ray Serve by the MLOps portal.`,
        split ? `Traffic: ${split}.` : 'No version receives traffic.',
        target.endpoint
          ? ''
          : 'The endpoint is not known yet: Ray Serve has not reported it.',
        'Calls other than the health checks need an API key of this deployment, as `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
      ]
        .filter(Boolean)
        .join(' '),
      license: {
        name: 'Apache 2.0 (Open Inference Protocol)',
        url: 'https://www.apache.org/licenses/LICENSE-2.0',
      },
    },
    ...(target.endpoint ? { servers: [{ url: target.endpoint }] } : {}),
    security: [{ bearerKey: [] }, { headerKey: [] }],
    paths: {
      '/v2/health/live': {
        get: {
          operationId: 'serverLive',
          summary: 'Server Live',
          security: [],
          responses: { '200': { description: 'Live.' } },
        },
      },
      '/v2/health/ready': {
        get: {
          operationId: 'serverReady',
          summary: 'Server Ready',
          description: 'Whether every served version can answer.',
          security: [],
          responses: {
            '200': { description: 'Ready.' },
            '503': error('A version is not ready.'),
          },
        },
      },
      '/v2': {
        get: {
          operationId: 'serverMetadata',
          summary: 'Server Metadata',
          responses: {
            '200': {
              description: 'OK',
              ...json(schema('metadata_server_response')),
            },
            '401': keyedErrors['401'],
            '429': keyedErrors['429'],
          },
        },
      },
      [model]: latest.metadata,
      [`${model}/ready`]: latest.ready,
      [`${model}/infer`]: latest.infer,
      [`${model}/versions/{version}`]: {
        parameters: [version],
        ...pinned.metadata,
      },
      [`${model}/versions/{version}/ready`]: {
        parameters: [version],
        ...pinned.ready,
      },
      [`${model}/versions/{version}/infer`]: {
        parameters: [version],
        ...pinned.infer,
      },
    },
    components: {
      securitySchemes: {
        bearerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key of this deployment.',
        },
        headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: OIP_SCHEMAS,
    },
  };
}
