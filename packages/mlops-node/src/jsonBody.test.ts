import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { TooManyRequestsError } from './errors';
import { jsonBody, jsonDepthAbove } from './jsonBody';

describe('jsonBody', () => {
  const app = express();
  const router = Router();
  router.use(jsonBody({ maxBytes: 1024, maxDepth: 3 }));
  router.post('/', (req, res) => {
    res.json(req.body);
  });
  router.post('/busy', () => {
    throw new TooManyRequestsError('team-a has 10 jobs');
  });
  app.use(router);
  app.use(
    (
      error: Error & { statusCode?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      // What Backstage's error handler does: the error's statusCode, else 400 for an InputError.
      res
        .status(error.statusCode ?? (error.name === 'InputError' ? 400 : 500))
        .json({ name: error.name, message: error.message });
    },
  );

  it('passes bodies within the limits and answers 400 naming the limit otherwise', async () => {
    const fine = await request(app)
      .post('/')
      .send({ a: { b: [1] } });
    expect(fine.body).toEqual({ a: { b: [1] } });
    await request(app)
      .post('/')
      .send({ a: { b: [[1]] } })
      .expect(400, {
        name: 'InputError',
        message:
          'The request body is nested more than 3 levels deep, the most this route accepts',
      });
    await request(app)
      .post('/')
      .send({ a: 'x'.repeat(2000) })
      .expect(400, {
        name: 'InputError',
        message:
          'The request body is larger than 1 KiB, the most this route accepts',
      });
  });

  it('measures any depth without recursion', () => {
    const levels = 200_000;
    const deep = JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
    expect(jsonDepthAbove(deep, 32)).toBe(33);
    expect(jsonDepthAbove({ a: [{ b: 1 }], c: 'd' }, 3)).toBeUndefined();
    expect(jsonDepthAbove('text', 0)).toBeUndefined();
  });

  it('answers 429 for a TooManyRequestsError', async () => {
    const busy = await request(app).post('/busy').send({});
    expect({ status: busy.status, body: busy.body }).toEqual({
      status: 429,
      body: { name: 'TooManyRequestsError', message: 'team-a has 10 jobs' },
    });
  });
});
