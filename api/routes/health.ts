/**
 * Liveness and readiness (PostgreSQL and Temporal), unauthenticated for load balancers; Prometheus
 * metrics only with METRICS_TOKEN as a bearer token, or with METRICS_PUBLIC=true (they describe traffic).
 */
import type { Express } from 'express';
import { problemTypes } from '../../domain/api/problems';
import { safeEqual } from '../auth/principal';
import type { AppDeps } from '../deps';
import { sendProblem } from '../problems';
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
  app.get('/metrics', async (req, res) => {
    const { token, public: open } = deps.config.metrics;
    const sent = /^Bearer (.{16,200})$/.exec(req.get('authorization') ?? '')?.[1];
    if (!open && !(token && sent && safeEqual(sent, token))) {
      sendProblem(
        res,
        { type: problemTypes.unauthenticated, title: 'Not authorized', status: 401, detail: token ? 'Send METRICS_TOKEN as a bearer token.' : 'Metrics are off: set METRICS_TOKEN (or METRICS_PUBLIC=true).' },
        { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      );
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
