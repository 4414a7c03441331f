// What a `distributor.manage` method other than `stats` receives (SPEC section 9): the caller
// is already authenticated as a reseller (401 before anything else, SPEC section 3's order) and
// `method` has been read. Each family of methods (provisioning, suppression lists) lives in its
// own file and is registered in methods.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Params } from '../../../domain/params.js';
import type { Reseller } from '../../../store/types.js';
import type { AppDeps } from '../../deps.js';
import type { Format } from '../../render.js';

export interface MethodCall {
  deps: AppDeps;
  reseller: Reseller;
  params: Params;
  format: Format;
  request: FastifyRequest;
  reply: FastifyReply;
}

export type MethodHandler = (call: MethodCall) => Promise<FastifyReply>;
