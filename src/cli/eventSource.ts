// Streams the events of a file or stdin without holding it in memory: a JSON array (a webhook
// body) through stream-json, anything else as NDJSON line by line. The format is decided by the
// first non-blank byte; a UTF-8 byte order mark is dropped.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { parseNdjsonLine } from '../http/batchBody.js';
import type { RawItem } from '../services/ingest.js';

export interface EventSource {
  items: AsyncGenerator<RawItem>;
  /** Bytes read so far, for progress. */
  bytesRead(): number;
}

const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function openEventSource(path: string): EventSource {
  const input: Readable = path === '-' ? process.stdin : createReadStream(path);
  let bytes = 0;

  async function* items(): AsyncGenerator<RawItem> {
    const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const nextChunk = async (): Promise<Buffer | undefined> => {
      const next = await source.next();
      if (next.done) return undefined;
      bytes += next.value.length;
      return next.value;
    };
    const head: Buffer[] = [];
    let first: number | undefined;
    while (first === undefined) {
      let chunk = await nextChunk();
      if (chunk === undefined) return;
      if (head.length === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      head.push(chunk);
      first = chunk.find((b) => !BLANK.has(b));
    }
    const rest = Readable.from(
      (async function* () {
        yield* head;
        for (let chunk = await nextChunk(); chunk !== undefined; chunk = await nextChunk()) yield chunk;
      })(),
    );

    if (first === 0x5b /* [ */) {
      for await (const { value } of rest.pipe(StreamArray.withParser()) as AsyncIterable<{ value: unknown }>) yield { value };
      return;
    }
    for await (const line of createInterface({ input: rest, crlfDelay: Infinity })) {
      if (line.trim() !== '') yield parseNdjsonLine(line);
    }
  }

  return { items: items(), bytesRead: () => bytes };
}
