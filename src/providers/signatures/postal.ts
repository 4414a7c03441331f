// STUB (providers branch): replaced by the sigs branch's verifier at merge. Do not edit here.
export function verifyPostalSignature(_publicKey: string, _body: Buffer, _headers: { signature256?: string; signature1?: string }): boolean {
  throw new Error('replaced by the sigs branch');
}
