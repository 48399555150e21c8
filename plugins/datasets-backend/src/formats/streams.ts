/** The first `bytes` bytes of a stream; the rest is not read. */
export async function readPrefix(
  stream: NodeJS.ReadableStream,
  bytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  if (bytes > 0) {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  }
  (stream as { destroy?: () => void }).destroy?.();
  return Buffer.concat(chunks).subarray(0, bytes);
}
