// distributor.manage methods for a customer's suppression lists: bounces, blocks, spamreports,
// invalidemails, unsubscribes.
import type { MethodHandler } from './methodCall.js';

export const suppressionMethods: ReadonlyArray<[string, MethodHandler]> = [];
