// STUB (providers branch): replaced by the sigs branch's verifier at merge. Do not edit here.
export function verifyMailgunSignature(_signingKey: string, _signature: { timestamp: string; token: string; signature: string }): boolean {
  throw new Error('replaced by the sigs branch');
}
