// prom-client's default process metrics (CPU, memory, event-loop lag, GC, handles). They
// describe the process, not an app, and starting them installs process-wide observers (a GC
// PerformanceObserver, an event-loop delay monitor) that are never removed — so they are made
// once per process, in a registry of their own (not prom-client's global one), and every app's
// /metrics shows them next to its own.
import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | undefined;

export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
