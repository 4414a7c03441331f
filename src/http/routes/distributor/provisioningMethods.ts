// distributor.manage methods for a reseller's customers: profile, enable, disable, password.
import type { MethodHandler } from './methodCall.js';

export const provisioningMethods: ReadonlyArray<[string, MethodHandler]> = [];
