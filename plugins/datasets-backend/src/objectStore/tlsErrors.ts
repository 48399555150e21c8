/** Node's TLS error codes and messages, and what each means for someone setting up an endpoint. */
const TLS_PROBLEMS: [RegExp, string][] = [
  [
    /DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate/i,
    "the server's certificate is self-signed, not issued by a trusted certificate authority",
  ],
  [
    /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i,
    "the server's certificate is not valid for this host name",
  ],
  [
    /CERT_HAS_EXPIRED|certificate has expired/i,
    "the server's certificate has expired",
  ],
  [
    /CERT_NOT_YET_VALID|certificate is not yet valid/i,
    "the server's certificate is not valid yet",
  ],
  [
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|unable to verify the first certificate|unable to get (local )?issuer certificate/i,
    "the server's certificate is not signed by a trusted certificate authority",
  ],
  [
    /wrong version number|packet length too long|ERR_SSL_|EPROTO/i,
    'the server does not speak TLS at this address (an http:// endpoint?)',
  ],
  [/\bERR_TLS_[A-Z_]+|\b[A-Z_]*CERT[A-Z_]*\b/, 'the TLS handshake failed'],
];

function texts(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const e = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown[];
  };
  return [
    ...[e.code, e.message].filter((t): t is string => typeof t === 'string'),
    ...texts(e.cause, depth + 1),
    ...(Array.isArray(e.errors)
      ? e.errors.flatMap(inner => texts(inner, depth + 1))
      : []),
  ];
}

/**
 * What is wrong with the TLS connection behind `error`, in words, or undefined when it is not
 * a TLS error. Looks at codes and messages, since errors from another JavaScript realm (the AWS
 * SDK under Jest) arrive with only their message.
 */
export function tlsProblem(error: unknown): string | undefined {
  const all = texts(error).join('\n');
  return TLS_PROBLEMS.find(([pattern]) => pattern.test(all))?.[1];
}
