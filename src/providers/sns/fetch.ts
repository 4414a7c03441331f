// The real fetchers for SNS: the signing certificate and the SubscribeURL, over HTTPS only,
// with a short timeout and a size cap, no redirects. Callers check the URL first
// (isTrustedCertUrl / confirmSubscription); this module only bounds what one fetch can cost.
import { get } from 'node:https';

export const SNS_FETCH_TIMEOUT_MS = 5_000;
/** An SNS certificate is about 2 KiB; a SubscribeURL answer (XML) under 1 KiB. */
export const SNS_FETCH_MAX_BYTES = 64 * 1024;

export interface HttpsGetOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Extra trusted CA certificates (tests); the system store otherwise. */
  ca?: string;
}

/** GET an https URL; resolves with the body text on 200, rejects otherwise. */
export function httpsGetText(url: string, options: HttpsGetOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? SNS_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? SNS_FETCH_MAX_BYTES;
  return new Promise((resolve, reject) => {
    if (!url.startsWith('https://')) {
      reject(new Error('only https URLs are fetched'));
      return;
    }
    const request = get(url, { timeout: timeoutMs, ...(options.ca ? { ca: options.ca } : {}) }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`HTTP ${response.statusCode ?? '?'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          request.destroy(new Error(`answer larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    // `timeout` covers idle sockets; this bounds the whole exchange.
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

export const fetchSnsCertificate = (url: string): Promise<string> => httpsGetText(url);
export const fetchSnsUrl = async (url: string): Promise<void> => {
  await httpsGetText(url);
};
