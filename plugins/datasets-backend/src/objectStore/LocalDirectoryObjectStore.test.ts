import { InputError, NotFoundError } from '@backstage/errors';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalDirectoryObjectStore } from './LocalDirectoryObjectStore';

let tmp: string;
let store: LocalDirectoryObjectStore;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'object-store-'));
  store = new LocalDirectoryObjectStore(join(tmp, 'root'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('LocalDirectoryObjectStore', () => {
  it('stores, lists, reads and deletes objects', async () => {
    await store.put('mnist/v1/train.idx', Buffer.from('train'));
    await store.put('mnist/v1/test.idx', Readable.from(['te', 'st']));
    await store.put('iris.csv', Buffer.from('a,b'));

    expect(await store.list()).toEqual([
      'iris.csv',
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('mnist/')).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('mnist/v1/tr')).toEqual(['mnist/v1/train.idx']);
    expect(await store.list('mn')).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await text(await store.get('mnist/v1/test.idx'))).toBe('test');

    await store.put('iris.csv', Buffer.from('replaced'));
    expect(await text(await store.get('iris.csv'))).toBe('replaced');

    await store.delete('iris.csv');
    await store.delete('iris.csv');
    expect(await store.list()).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    await expect(store.get('iris.csv')).rejects.toThrow(NotFoundError);
    await expect(store.get('mnist/v1')).rejects.toThrow(NotFoundError);
  });

  it('resolves a relative root against the working directory and creates it', async () => {
    const relativeRoot = relative(process.cwd(), join(tmp, 'relative'));
    const relativeStore = new LocalDirectoryObjectStore(relativeRoot);
    await relativeStore.put('a.txt', Buffer.from('a'));

    expect(relativeStore.location).toBe(join(tmp, 'relative'));
    expect(readdirSync(join(tmp, 'relative'))).toContain('a.txt');
  });

  it.each([
    ['/etc/passwd', 'absolute paths are not allowed'],
    ['../outside', "'.' and '..' segments are not allowed"],
    ['a/../../outside', "'.' and '..' segments are not allowed"],
    ['a/./b', "'.' and '..' segments are not allowed"],
    ['a\\..\\b', 'backslashes are not allowed'],
    ['a//b', 'empty segments are not allowed'],
    ['a/', 'empty segments are not allowed'],
    ['', 'empty segments are not allowed'],
    ['a\0b', 'NUL characters are not allowed'],
    ['.staging/x', "'.staging' is reserved"],
  ])('rejects the key %j', async (key, problem) => {
    const message = `Invalid object key '${key}': ${problem}`;
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({
      name: 'InputError',
      message,
    });
    await expect(store.get(key)).rejects.toThrow(message);
    await expect(store.delete(key)).rejects.toThrow(message);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('rejects prefixes that could escape the folder', async () => {
    await expect(store.list('../')).rejects.toThrow(
      "Invalid object key prefix '../': '.' and '..' segments are not allowed",
    );
    await expect(store.list('a/..')).rejects.toThrow(
      "Invalid object key prefix 'a/..': '.' and '..' segments are not allowed",
    );
    await expect(store.list('/')).rejects.toThrow(InputError);
  });

  it('leaves nothing under the key when the upload fails midway', async () => {
    await store.put('data.csv', Buffer.from('old'));
    await expect(store.put('data.csv', failingStream())).rejects.toThrow(
      'connection reset',
    );
    await expect(store.put('new/data.csv', failingStream())).rejects.toThrow(
      'connection reset',
    );
    expect(await text(await store.get('data.csv'))).toBe('old');
    expect(await store.list()).toEqual(['data.csv']);
    expect(readdirSync(join(tmp, 'root', '.staging'))).toEqual([]);
  });

  it('reports the free space of its folder', async () => {
    await store.put('a', Buffer.from('a'));
    expect(await store.freeBytes()).toBeGreaterThan(0);
  });
});

function failingStream() {
  return new Readable({
    read() {
      this.push('partial content');
      this.destroy(new Error('connection reset'));
    },
  });
}
