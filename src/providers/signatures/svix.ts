// STUB (providers branch): replaced by the sigs branch's verifier at merge. Do not edit here.
export function verifySvixSignature(_secret: string, _headers: { id?: string; timestamp?: string; signature?: string }, _body: Buffer, _nowSeconds: number): boolean {
  throw new Error('replaced by the sigs branch');
}
