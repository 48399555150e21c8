import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export type Route = {
  pluginId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path under /api/<pluginId>, e.g. `/datasets/:id`. */
  path: string;
  /** Where it is registered, for messages. */
  source: string;
};

const REPO = join(__dirname, '../../../..');
const REGISTRATION =
  /router\s*\.\s*(get|post|put|patch|delete)\(\s*'(\/[^']*)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === '__testUtils__' ? [] : sourceFiles(path);
    }
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/**
 * Every route each MLOps backend plugin registers, read from its source, so that a new route is
 * walked by the isolation tests without anyone adding it to a list. `GET /status` comes from the
 * shared status route of packages/mlops-node.
 */
export function mlopsRoutes(): Route[] {
  const plugins = readdirSync(join(REPO, 'plugins')).filter(name =>
    /^[a-z-]+-backend$/.test(name),
  );
  return plugins.flatMap(folder => {
    const pluginId = folder.replace(/-backend$/, '');
    const routes: Route[] = [
      { pluginId, method: 'get', path: '/status', source: 'mlops-node' },
    ];
    for (const file of sourceFiles(join(REPO, 'plugins', folder, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(REGISTRATION)) {
        routes.push({
          pluginId,
          method: match[1] as Route['method'],
          path: match[2],
          source: relative(REPO, file),
        });
      }
    }
    return routes;
  });
}

/**
 * The route's path with each `:param` replaced, or an error naming a param with no value. A
 * value is looked up as `<pluginId>/<first path segment>:<param>`, `<pluginId>:<param>`, then
 * `<param>`.
 */
export function fillPath(route: Route, values: Record<string, string>) {
  const segment = route.path.split('/')[1];
  return route.path.replace(/:([A-Za-z]+)/g, (_, param: string) => {
    const value =
      values[`${route.pluginId}/${segment}:${param}`] ??
      values[`${route.pluginId}:${param}`] ??
      values[param];
    if (value === undefined) {
      throw new Error(
        `No test value for ':${param}' of ${route.method.toUpperCase()} ${
          route.path
        } (${route.source}): add one to the isolation test`,
      );
    }
    return encodeURIComponent(value);
  });
}
