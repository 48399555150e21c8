import { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, LookupFunction } from 'node:net';

/** The config key both S3 connections and external Ray clusters read. */
export const ALLOWED_ENDPOINTS_KEY = 'mlops.network.allowedEndpoints';

type Family = 'ipv4' | 'ipv6';

const NON_PUBLIC: [kind: string, network: string, prefix: number, Family][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', '192.0.0.0', 24, 'ipv4'],
  ['private', '198.18.0.0', 15, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
];

const nonPublicLists = new Map<string, BlockList>();
for (const [kind, network, prefix, family] of NON_PUBLIC) {
  if (!nonPublicLists.has(kind)) nonPublicLists.set(kind, new BlockList());
  nonPublicLists.get(kind)!.addSubnet(network, prefix, family);
}

/** The eight 16-bit groups of an IPv6 address (with or without a dotted IPv4 tail). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${(
      (c << 8) |
      d
    ).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map(group => parseInt(group, 16)) : [];
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length;
  return [...front, ...new Array(zeros).fill(0), ...back];
}

function ipv4Of(high: number, low: number) {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 address an IPv6 address carries and that traffic to it ends up at: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:abcd:...).
 */
function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) =>
    g.slice(from, to).every(group => group === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return ipv4Of(g[6], g[7]);
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return ipv4Of(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) {
    return ipv4Of(g[6], g[7]);
  }
  if (g[0] === 0x2002) return ipv4Of(g[1], g[2]);
  return undefined;
}

/** The address traffic really goes to, and its family: IPv4 inside IPv6 is unwrapped. */
function effectiveAddress(address: string): [string, Family] {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 6) {
    const inner = embeddedIPv4(bare);
    return inner ? [inner, 'ipv4'] : [bare, 'ipv6'];
  }
  return [bare, 'ipv4'];
}

/**
 * 'loopback', 'unspecified', 'private', 'link-local', 'multicast' or 'reserved' for an address
 * that is not on the public internet (IPv4 inside IPv6 counts as the IPv4 address); undefined for
 * a public one.
 *
 * @public
 */
export function nonPublicKind(address: string): string | undefined {
  const [ip, family] = effectiveAddress(address);
  for (const [kind, list] of nonPublicLists) {
    if (list.check(ip, family)) return kind;
  }
  return undefined;
}

function parseAllowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefixText, ...rest] = entry.trim().split('/');
    const version = isIP(address);
    const max = version === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      !version ||
      rest.length ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max
    ) {
      throw new Error(
        `${ALLOWED_ENDPOINTS_KEY}: '${entry}' is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1/32)`,
      );
    }
    list.addSubnet(address, prefix, version === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/**
 * Why the endpoint guard refused an address; the message names the host and address (the
 * caller's own input and what it resolves to), never anything the endpoint answered.
 *
 * @public
 */
export class EndpointRefusedError extends InputError {
  readonly code = 'EREFUSEDADDRESS';
}

/**
 * The one guard for addresses that users hand to the backend (S3 connection endpoints, external
 * Ray dashboards): http(s) URLs without credentials whose host resolves only to public addresses,
 * unless an administrator allow-lists the address in `mlops.network.allowedEndpoints`.
 *
 * Check the URL with {@link EndpointGuard.check} when it is given and before each use, and connect
 * with {@link EndpointGuard.lookup} so that a host re-pointed at an internal address after the
 * check (DNS rebinding) is refused when the connection is made.
 *
 * @public
 */
export class EndpointGuard {
  private readonly allowed: BlockList;
  private readonly allowAny: boolean;

  /**
   * Reads `mlops.network.allowedEndpoints` (addresses or CIDR ranges). `allowAny` turns the guard
   * off except for the URL checks (the datasets plugin's older
   * `mlops.datasets.connections.allowPrivateEndpoints: true`).
   */
  static fromConfig(
    config: RootConfigService,
    options: { allowAny?: boolean } = {},
  ): EndpointGuard {
    return new EndpointGuard({
      allowed: config.getOptionalStringArray(ALLOWED_ENDPOINTS_KEY) ?? [],
      allowAny: options.allowAny,
    });
  }

  constructor(options: { allowed?: string[]; allowAny?: boolean } = {}) {
    this.allowed = parseAllowList(options.allowed ?? []);
    this.allowAny = options.allowAny ?? false;
  }

  /** Why `address` may not be used ('loopback', 'private', ...), or undefined when it may. */
  refusalOf(address: string): string | undefined {
    if (this.allowAny) return undefined;
    const kind = nonPublicKind(address);
    if (!kind) return undefined;
    const [ip, family] = effectiveAddress(address);
    return this.allowed.check(ip, family) ? undefined : kind;
  }

  /**
   * Parses `endpoint` as the HTTP client will (WHATWG URL: decimal, hex and octal IPv4 forms
   * become dotted quads), and resolves its host: every address must pass. `what` names the
   * endpoint in messages, e.g. 'S3 endpoint' or 'Ray dashboard'. InputError otherwise.
   */
  async check(endpoint: string, what: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new InputError(`${what} '${endpoint}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError(
        `${what} must be an http or https URL, not ${url.protocol}`,
      );
    }
    if (url.username || url.password) {
      throw new InputError(`${what} URL must not contain credentials`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: LookupAddress[];
    try {
      addresses = isIP(host)
        ? [{ address: host, family: isIP(host) }]
        : await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new InputError(
        `Cannot resolve the ${what} host '${host}': ${
          (error as NodeJS.ErrnoException).code ?? 'lookup failed'
        }`,
      );
    }
    for (const { address } of addresses) {
      const kind = this.refusalOf(address);
      if (kind) throw this.refusal(what, host, address, kind);
    }
    return url;
  }

  /**
   * A DNS lookup for HTTP requests and agents (`lookup` option of node:http, node:https and
   * net.connect) that refuses what {@link EndpointGuard.check} refuses, at connection time.
   * Node does not call it for IP literals: {@link EndpointGuard.check} covers those.
   */
  lookup(what: string): LookupFunction {
    return ((hostname: string, options: any, callback: any) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) {
          callback(error);
          return;
        }
        const list = addresses as unknown as LookupAddress[];
        for (const { address } of list) {
          const kind = this.refusalOf(address);
          if (kind) {
            callback(this.refusal(what, hostname, address, kind));
            return;
          }
        }
        if (options?.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      });
    }) as LookupFunction;
  }

  private refusal(what: string, host: string, address: string, kind: string) {
    return new EndpointRefusedError(
      `Refused: the ${what} host '${host}' resolves to the ${kind} address ${address}, which the portal does not connect to unless an administrator allows it in ${ALLOWED_ENDPOINTS_KEY}`,
    );
  }
}
