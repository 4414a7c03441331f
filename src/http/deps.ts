import type { CredentialVerifier } from '../auth/verifier.js';
import type { AppMetrics } from '../metrics/appMetrics.js';
import type { BodyLimits } from './batchBody.js';
import type { Store } from '../store/types.js';

/** What the routes need from outside; tests pass a fixed clock. */
export interface AppDeps {
  store: Store;
  verifier: CredentialVerifier;
  now: () => Date;
  webhookBodyLimit: number;
  /** Items per webhook body and bytes per item. */
  bodyLimits: BodyLimits;
  /** Where the webhook reports its batches (/metrics). */
  metrics: AppMetrics;
}
