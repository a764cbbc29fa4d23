/** Liveness, readiness (PostgreSQL and Temporal) and Prometheus metrics. Unauthenticated by design. */
import type { Express } from 'express';
import type { AppDeps } from '../deps';
import type { ApiMetrics } from '../observability';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export function mountHealth(app: Express, deps: AppDeps, metrics: ApiMetrics): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // Both asked at once, each with its own short bound, so the answer comes within 2 s and names the part that is down.
    const [pg, temporal] = await Promise.allSettled([withTimeout(deps.db.sql`select 1`, 1500), withTimeout(deps.temporal.ping(), 1800)]);
    const checks = {
      postgres: pg.status === 'fulfilled' ? { ok: true } : { ok: false, error: 'PostgreSQL is not reachable' },
      temporal: temporal.status === 'fulfilled' ? { ok: true } : { ok: false, error: 'Temporal is not reachable' },
    };
    const ready = checks.postgres.ok && checks.temporal.ok;
    const down = [!checks.postgres.ok && 'postgres', !checks.temporal.ok && 'temporal'].filter(Boolean);
    if (!ready) res.setHeader('Retry-After', '2');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', ...(ready ? {} : { down }), checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
