/**
 * Builds the Express app from injected dependencies. No I/O happens here beyond what requests cause,
 * so tests build as many apps as they like against their own databases and fake gateways.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import { appendEvent } from '../db/events';
import { problemTypes } from '../domain/api/problems';
import type { AppDeps } from './deps';
import type { WorkflowGateway } from './gateway';
import { createMetrics, type ApiMetrics } from './observability';
import { buildOpenApi } from './openapi';
import { errorHandler, sendProblem } from './problems';
import { mountHealth } from './routes/health';
import { mountInboundMail } from './routes/inbound-mail';
import { apiRoutes } from './routes/index';
import { mountRoutes } from './routing';

export type { AppDeps } from './deps';

function instrument(gateway: WorkflowGateway, metrics: ApiMetrics): WorkflowGateway {
  return {
    ...gateway,
    factsChanged: async (accountId, signal) => {
      try {
        await gateway.factsChanged(accountId, signal);
      } catch (err) {
        metrics.workflowSignalFailures.inc({ change: signal.change });
        throw err;
      }
    },
    decideDraft: (a, d) => gateway.decideDraft(a, d),
    logCallOutcome: (a, o) => gateway.logCallOutcome(a, o),
    state: (a) => gateway.state(a),
    ping: () => gateway.ping(),
  };
}

export function createRouter(deps: AppDeps): Router {
  const router = Router();
  mountRoutes(router, deps, apiRoutes);
  return router;
}

export function createApp(input: AppDeps & { metrics?: ApiMetrics }): express.Express {
  const metrics = input.metrics ?? createMetrics();
  const deps: AppDeps = { ...input, temporal: instrument(input.temporal, metrics) };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('query parser', 'simple');
  // API answers are fresh reads, never revalidated; hashing every JSON body for an ETag was pure cost.
  // (Static files keep theirs: express.static sets its own.)
  app.set('etag', false);

  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  mountHealth(app, deps, metrics);
  mountInboundMail(app, deps);

  const openapi = buildOpenApi(apiRoutes);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  app.use(
    '/api',
    express.json({
      limit: '1mb',
      verify: (req, _res, buf) => {
        (req as Request & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
    express.text({ type: ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'], limit: deps.config.importMaxBytes }),
  );

  app.post(
    '/api/auth/login',
    rateLimit({
      windowMs: deps.config.loginRateLimit.windowMs,
      limit: deps.config.loginRateLimit.limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: async (req, res, _next, options) => {
        metrics.loginAttempts.inc({ result: 'rate_limited' });
        try {
          const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : null;
          await appendEvent(deps.db.db, { type: 'auth.login_rate_limited', actor: { type: 'client', name: email }, data: { email, ip: req.ip ?? null } });
        } catch (err) {
          deps.logger.warn({ err }, 'could not record a rate-limited login');
        }
        sendProblem(
          res,
          { type: problemTypes.rateLimited, title: 'Too many sign-in attempts', status: options.statusCode, detail: 'Wait a few minutes before trying again.' },
          { 'Retry-After': String(Math.ceil(deps.config.loginRateLimit.windowMs / 1000)) },
        );
      },
    }),
    (req, res, next) => {
      res.on('finish', () => metrics.loginAttempts.inc({ result: res.statusCode === 200 ? 'success' : 'failure' }));
      next();
    },
  );

  app.use(createRouter(deps));

  app.use('/api', (req, res) => {
    sendProblem(res, { type: problemTypes.notFound, title: 'Not found', status: 404, detail: `No API endpoint ${req.method} ${req.originalUrl.split('?')[0].slice(0, 200)}` });
  });

  if (deps.config.webDist) {
    const dist = path.resolve(deps.config.webDist);
    const index = path.join(dist, 'index.html');
    app.use(express.static(dist, { index: false, maxAge: '1h' }));
    // Client-side routes: anything that is not a file falls back to the app shell.
    app.get(/^\/(?!api\/|healthz$|readyz$|metrics$).*/, (_req, res, next) => {
      if (!fs.existsSync(index)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  }

  app.use((req, res) => {
    sendProblem(res, { type: problemTypes.notFound, title: 'Not found', status: 404, detail: `Nothing at ${req.originalUrl.split('?')[0].slice(0, 200)}` });
  });
  app.use(errorHandler(deps.logger));
  return app;
}
