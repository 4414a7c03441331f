import type { FastifyInstance } from 'fastify';

// HEAD as well as GET: load balancers and uptime checkers often probe with HEAD.
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { exposeHeadRoute: true }, async () => ({ status: 'ok' }));
}
