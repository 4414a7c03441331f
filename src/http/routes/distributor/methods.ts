// Every v1 distributor.manage method besides `stats`. A Map, so a `method` such as `__proto__`
// or `constructor` is simply unknown.
import type { MethodHandler } from './methodCall.js';
import { provisioningMethods } from './provisioningMethods.js';
import { suppressionMethods } from './suppressionMethods.js';

export const distributorMethods: ReadonlyMap<string, MethodHandler> = new Map([...provisioningMethods, ...suppressionMethods]);
