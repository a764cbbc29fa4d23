/** The OpenAPI document, generated from the same route table and zod schemas the server validates with. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import { Problem } from '../domain/api/problems';
import type { RouteDef } from './routing';


export function buildOpenApi(routes: RouteDef[]): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'tactful_session' });
  registry.registerComponent('securitySchemes', 'token', { type: 'http', scheme: 'bearer' });
  // Inline schemas: zod 4 schemas made before extendZodWithOpenApi cannot be registered by name.
  const problem = Problem;
  for (const r of routes) {
    const headers: ZodType[] = [];
    const headerShape: Record<string, ZodType> = {};
    if (r.access.kind !== 'public' && r.method !== 'get') headerShape['x-csrf-token'] = z.string().optional().describe('Required with the session cookie');
    if (r.idempotencyKey) headerShape['idempotency-key'] = z.string().min(8).max(200);
    if (r.path === '/api/webhooks/payments') headerShape['x-tactful-signature'] = z.string();
    if (Object.keys(headerShape).length) headers.push(z.object(headerShape));
    const body =
      r.body && r.bodyType === 'csv'
        ? { content: { 'text/csv': { schema: z.string() } } }
        : r.body && r.bodyType === 'file'
        ? { content: { 'text/csv': { schema: z.string() }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().describe('binary') } } }
        : r.body
          ? { content: { 'application/json': { schema: r.body } } }
          : undefined;
    registry.registerPath({
      method: r.method,
      path: r.path.replace(/:(\w+)/g, '{$1}'),
      summary: r.summary,
      tags: [r.tag],
      security: r.access.kind === 'public' ? [] : r.access.kind === 'session' ? [{ session: [] }] : [{ session: [] }, { token: [] }],
      request: {
        ...(r.params ? { params: r.params as never } : {}),
        ...(r.query ? { query: r.query as never } : {}),
        ...(headers.length ? { headers: headers[0] as never } : {}),
        ...(body ? { body } : {}),
      },
      responses: {
        [r.status ?? 200]: {
          description: r.summary,
          ...(r.response ? { content: { 'application/json': { schema: r.response } } } : {}),
        },
        default: { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: problem } } },
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tactful API',
      version: '1',
      description:
        'Accounts-receivable follow-up. Cookie sessions need the X-CSRF-Token header on writes; integrations use Bearer tokens with scopes. Errors are application/problem+json with a stable `type`.',
    },
  });
}
