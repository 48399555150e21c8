import { KubeConfig } from '@kubernetes/client-node';
import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeRayKind } from '../types';
import { CrdValidator, formatErrors } from '../crdSchemas';

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: any;
};

export type ForcedAnswer = { status: number; body: unknown };

const KINDS: Record<string, KubeRayKind> = {
  rayclusters: 'RayCluster',
  rayjobs: 'RayJob',
  rayservices: 'RayService',
};
const CUSTOM_OBJECT =
  /^\/apis\/ray\.io\/v1\/namespaces\/([^/]+)\/(rayclusters|rayjobs|rayservices)(?:\/([^/]+))?$/;
const SECRET = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/;

export const FAKE_API_TOKEN = 'fake-kubernetes-bearer-token';

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function applyJsonPatch(target: any, operations: any[]): string | undefined {
  for (const op of operations) {
    const keys = String(op.path)
      .split('/')
      .slice(1)
      .map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    const parent = keys.reduce(
      (node, key) => (node === undefined ? undefined : node[key]),
      target,
    );
    if (parent === undefined || typeof parent !== 'object')
      return `path ${op.path} does not exist`;
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
        return `test failed at ${op.path}`;
    } else if (op.op === 'add' || op.op === 'replace') {
      parent[last] = op.value;
    } else {
      return `unsupported op ${op.op}`;
    }
  }
  return undefined;
}

/**
 * A local HTTP server that answers the Kubernetes API paths the KubeRay driver uses, keeps the
 * objects it is sent, checks created objects against the CRD schemas, and records every request.
 */
export class FakeKubernetesApi {
  readonly requests: RecordedRequest[] = [];
  /** Custom objects by `plural/namespace/name`. */
  readonly objects = new Map<string, any>();
  /** Secrets by `namespace/name`. */
  readonly secrets = new Map<string, any>();
  /** Answers given, in order, to the next requests instead of the normal behaviour. */
  readonly forcedAnswers: ForcedAnswer[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly validators?: Record<KubeRayKind, CrdValidator>,
  ) {}

  static async start(
    validators?: Record<KubeRayKind, CrdValidator>,
  ): Promise<FakeKubernetesApi> {
    const server = http.createServer();
    const api = new FakeKubernetesApi(server, validators);
    server.on('request', (req, res) => api.handle(req, res));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'portal', token: FAKE_API_TOKEN }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'portal' }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const answer = this.forcedAnswers.shift() ?? this.answer(recorded);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private answer(req: RecordedRequest): ForcedAnswer {
    if (req.headers.authorization !== `Bearer ${FAKE_API_TOKEN}`) {
      return { status: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    }
    const secret = SECRET.exec(req.path);
    if (secret && req.method === 'GET') {
      const found = this.secrets.get(`${secret[1]}/${secret[2]}`);
      return found
        ? { status: 200, body: found }
        : {
            status: 404,
            body: status(404, 'NotFound', `secrets "${secret[2]}" not found`),
          };
    }
    const match = CUSTOM_OBJECT.exec(req.path);
    if (!match)
      return {
        status: 404,
        body: status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      };
    const [, namespace, plural, name] = match;
    if (req.method === 'POST' && !name)
      return this.create(namespace, plural, req.body);
    const key = `${plural}/${namespace}/${name}`;
    const existing = this.objects.get(key);
    if (!existing) {
      return {
        status: 404,
        body: status(404, 'NotFound', `${plural}.ray.io "${name}" not found`),
      };
    }
    switch (req.method) {
      case 'GET':
        return { status: 200, body: existing };
      case 'DELETE':
        this.objects.delete(key);
        return {
          status: 200,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Success',
            details: { name },
          },
        };
      case 'PATCH': {
        if (req.headers['content-type'] !== 'application/json-patch+json') {
          return {
            status: 415,
            body: status(
              415,
              'UnsupportedMediaType',
              `unsupported patch type ${req.headers['content-type']}`,
            ),
          };
        }
        const patched = structuredClone(existing);
        const failure = applyJsonPatch(patched, req.body);
        if (failure)
          return { status: 422, body: status(422, 'Invalid', failure) };
        this.objects.set(key, patched);
        return { status: 200, body: patched };
      }
      default:
        return {
          status: 405,
          body: status(405, 'MethodNotAllowed', `${req.method} not allowed`),
        };
    }
  }

  private create(namespace: string, plural: string, body: any): ForcedAnswer {
    const kind = KINDS[plural];
    if (body?.kind !== kind || body?.apiVersion !== 'ray.io/v1') {
      return {
        status: 400,
        body: status(
          400,
          'BadRequest',
          `expected ray.io/v1 ${kind}, got ${body?.apiVersion} ${body?.kind}`,
        ),
      };
    }
    const errors = this.validators?.[kind](body) ?? [];
    if (errors.length) {
      return {
        status: 422,
        body: status(
          422,
          'Invalid',
          `${kind} "${body.metadata?.name}" is invalid: ${formatErrors(
            errors,
          )}`,
        ),
      };
    }
    const key = `${plural}/${namespace}/${body.metadata.name}`;
    if (this.objects.has(key)) {
      return {
        status: 409,
        body: status(
          409,
          'AlreadyExists',
          `${plural}.ray.io "${body.metadata.name}" already exists`,
        ),
      };
    }
    const stored = {
      ...body,
      metadata: {
        ...body.metadata,
        namespace,
        uid: `uid-${this.objects.size + 1}`,
      },
    };
    this.objects.set(key, stored);
    return { status: 201, body: stored };
  }
}
