/** Prometheus metrics for one app instance (its own registry, so tests can build many apps). */
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  middleware: RequestHandler;
  workflowSignalFailures: Counter<'change'>;
  loginAttempts: Counter<'result'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'tactful_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const workflowSignalFailures = new Counter({
    name: 'tactful_workflow_signal_failures_total',
    help: 'Facts stored but not signalled to the workflow (Temporal unreachable); the reconciler catches up',
    labelNames: ['change'] as const,
    registers: [registry],
  });
  const loginAttempts = new Counter({
    name: 'tactful_login_attempts_total',
    help: 'Sign-in attempts by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // Route patterns, never raw URLs: ids in label values would explode the series count.
      const routePath = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ method: req.method, route: routePath, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware, workflowSignalFailures, loginAttempts };
}
