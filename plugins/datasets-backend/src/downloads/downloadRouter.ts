import { NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { ObjectStore } from '../objectStore';
import { DownloadSigner } from './DownloadSigner';

/** Mounted without authentication (see plugin.ts): the signature is the credential. */
export const DOWNLOADS_PATH = '/downloads';

/**
 * `GET /downloads/<key>?expires=&signature=`: streams the object of a URL that `signer` made.
 * Anything else (bad or expired signature, another key, no such object) is the same 404 with
 * nothing about why.
 */
export function createDownloadRouter(options: {
  signer: DownloadSigner;
  objectStore: ObjectStore;
}): express.Router {
  const { signer, objectStore } = options;
  const router = Router();
  router.get(`${DOWNLOADS_PATH}/*`, async (req, res) => {
    const key = (req.params as Record<string, string>)[0];
    const notFound = new NotFoundError('No such download');
    if (!signer.verify(key, req.query.expires, req.query.signature)) {
      throw notFound;
    }
    const head = await objectStore.head(key).catch(() => undefined);
    if (!head) throw notFound;
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(head.size));
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(await objectStore.get(key), res);
  });
  return router;
}
