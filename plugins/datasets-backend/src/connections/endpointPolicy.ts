import { InputError } from '@backstage/errors';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, LookupFunction } from 'node:net';

const RANGES: [string, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
];

const lists = new Map<string, BlockList>();
for (const [kind, network, prefix, family] of RANGES) {
  if (!lists.has(kind)) lists.set(kind, new BlockList());
  lists.get(kind)!.addSubnet(network, prefix, family);
}

/** 'loopback', 'private', 'link-local' or 'unspecified' for such addresses; undefined for public ones. */
export function nonPublicKind(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  for (const [kind, list] of lists) {
    if (list.check(ip, family)) return kind;
  }
  return undefined;
}

function refusal(host: string, address: string, kind: string) {
  return `the S3 endpoint host '${host}' resolves to the ${kind} address ${address}, which connections may not use (mlops.datasets.connections.allowPrivateEndpoints)`;
}

/**
 * Checks a connection's endpoint URL before it is saved: http or https, no user info, and, unless
 * allowed, a host that resolves only to public addresses.
 */
export async function checkEndpoint(
  endpoint: string,
  allowPrivate: boolean,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InputError(`endpoint '${endpoint}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `endpoint must be an http or https URL, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new InputError(
      'endpoint must not contain credentials; use accessKeyId and secretAccessKey',
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    throw new InputError(
      `Cannot resolve the S3 endpoint host '${host}': ${
        (error as NodeJS.ErrnoException).code ?? error
      }`,
    );
  }
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const kind = nonPublicKind(address);
      if (kind)
        throw new InputError(`Refused: ${refusal(host, address, kind)}`);
    }
  }
  return url;
}

/**
 * A DNS lookup for HTTP agents that refuses non-public addresses at connection time too, so a
 * host that resolved to a public address when saved cannot be re-pointed at internal services.
 */
export function guardedLookup(): LookupFunction {
  return ((hostname: string, options: any, callback: any) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error);
        return;
      }
      const list = addresses as unknown as LookupAddress[];
      const blocked = list.find(a => nonPublicKind(a.address));
      if (blocked) {
        const refused = Object.assign(
          new Error(
            `Refused: ${refusal(
              hostname,
              blocked.address,
              nonPublicKind(blocked.address)!,
            )}`,
          ),
          { code: 'EREFUSEDADDRESS' },
        );
        callback(refused);
        return;
      }
      if (options?.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  }) as LookupFunction;
}
