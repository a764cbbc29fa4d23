/**
 * Builds the Express app from injected dependencies. No I/O happens here beyond what requests cause,
 * so tests build as many apps as they like against their own databases and fake gateways.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { problemTypes } from '../domain/api/problems';
import { noiseFor } from './auth/noise';
import { authenticate } from './auth/principal';
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

/** Long by design: a file import, the live event stream. */
const LONG_REQUESTS = /^\/api\/(imports|stream|events\/stream)/;

/**
 * Answers 503 with Retry-After when a request is still unanswered at the deadline, whatever it waits
 * on (a stalled PostgreSQL, a pool with every connection stuck, Temporal). The handler runs on and its
 * late answer is dropped; what it writes is either committed — and a retry with the same
 * Idempotency-Key replays it — or not at all.
 */
function requestDeadline(ms: number): express.RequestHandler {
  return (req, res, next) => {
    if (LONG_REQUESTS.test(req.path)) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      sendProblem(
        res,
        {
          type: problemTypes.timedOut,
          title: 'No answer in time',
          status: 503,
          detail: 'A part Tactful depends on (PostgreSQL or Temporal) did not answer in time, so this may not have been done. Try again in a moment: a retried write with the same Idempotency-Key is recorded once.',
        },
        { 'Retry-After': '2' },
      );
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
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
      // Refusals are logged, but a flood of them from one address is not copied line by line into the logs.
      customLogLevel: (req, res, err) => {
        if (err) return 'error';
        if (res.statusCode >= 500) return 'warn';
        if ([401, 403, 413, 415, 429].includes(res.statusCode))
          return noiseFor(deps.config).log.admit(`log:${req.socket.remoteAddress ?? '?'}`, deps.clock().getTime()) === 'record' ? 'info' : 'silent';
        return 'info';
      },
      // pino-http makes up an Error (with a stack) for every 5xx; a real failure is logged with its own by errorHandler.
      customErrorObject: (_req, _res, err, val) => (err?.message?.startsWith('failed with status code') ? { ...val, err: undefined } : val),
      redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
    }),
  );
  app.use(
    helmet({
      // The built web app loads only its own files: no inline or third-party script can run in it.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // React sets `style` attributes; styles cannot run code.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          // No upgrade-insecure-requests: compose serves http://localhost with Secure cookies, and an
          // upgraded request there would fail; behind TLS every URL is already https.
        },
      },
      // Secure cookies mean the app is served over TLS; HSTS over plain HTTP would lock a demo out.
      strictTransportSecurity: deps.config.session.secureCookie ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Answers carry ledger figures and the CSRF token: no browser or proxy may keep them.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.use(requestDeadline(deps.config.requestDeadlineMs));
  mountHealth(app, deps, metrics);
  mountInboundMail(app, deps);

  const openapi = buildOpenApi(apiRoutes);
  app.get('/api/openapi.json', async (req, res) => {
    if (!deps.config.apiDocsPublic) {
      const auth = await authenticate(req, deps.db.db, deps.config, deps.clock());
      if (!auth.principal) {
        sendProblem(res, { type: problemTypes.unauthenticated, title: 'Not signed in', status: 401, detail: 'Sign in or send an API token to read the API description.' }, { 'WWW-Authenticate': 'Bearer realm="tactful"' });
        return;
      }
    }
    res.json(openapi);
  });

  // Bodies are parsed per route after authentication (api/routing.ts), so anonymous requests cost no parsing.
  app.post('/api/auth/login', (_req, res, next) => {
    res.on('finish', () => metrics.loginAttempts.inc({ result: res.statusCode === 200 ? 'success' : res.statusCode === 429 ? 'rate_limited' : 'failure' }));
    next();
  });

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
