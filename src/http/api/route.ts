import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserRole } from '../../db/client.js';
import { API_SCOPES, roleAtLeast, type ApiScope } from '../../users/scopes.js';
import type { Principal } from '../../users/user.service.js';
import { ProblemError, sendProblem, zodProblems } from './problem.js';

// One definition per API route gives both its validation (zod, at request time) and its entry
// in the OpenAPI document (`z.toJSONSchema`): the document cannot drift from what is enforced.

export interface ApiResponse {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
}

export interface ApiRouteContext<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface ApiRoute<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify pattern below `/api/v1`, e.g. `/invoices/:externalId`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The token scope the route needs; console sessions are not accepted by the API. */
  scope: ApiScope;
  /** The least role of the token's user. */
  role: UserRole;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Largest body accepted, bytes (default: the server's). */
  bodyLimit?: number;
  responses: Record<number, ApiResponse>;
  handler(context: ApiRouteContext<P, Q, B>): Promise<unknown>;
}

/** Keeps the types of a definition's schemas and handler together. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(route: ApiRoute<P, Q, B>): ApiRoute<P, Q, B> {
  return route;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, root: string): T {
  if (schema === undefined) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new ProblemError(400, `invalid ${root}`, zodProblems(result.error, root === 'body' ? '' : root));
  return result.data;
}

/** Registers a route: authentication and the text check were done by hooks; here scope, role, then input. */
export function registerApiRoute(app: FastifyInstance, route: ApiRoute<any, any, any>): void {
  app.route({
    method: route.method,
    url: route.url,
    ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
    handler: async (request, reply) => {
      const principal = request.principal;
      if (principal === null) return sendProblem(reply.header('www-authenticate', 'Bearer'), 401, 'a bearer token is required');
      if (!principal.scopes?.includes(route.scope)) {
        return sendProblem(reply, 403, `this token lacks the scope ${route.scope}`);
      }
      if (!roleAtLeast(principal.role, route.role)) {
        return sendProblem(reply, 403, `${route.operationId} needs the role ${route.role} or above; the token's user is ${principal.role}`);
      }
      const params = parse(route.params, request.params, 'params');
      const query = parse(route.query, request.query, 'query');
      const body = parse(route.body, request.body, 'body');
      const result = await route.handler({ principal, params, query, body, request, reply });
      return reply.sent ? reply : result;
    },
  });
}

const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

/** The OpenAPI 3.1 document of these routes. */
export function openApiDocument(routes: readonly ApiRoute<any, any, any>[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api/v1${route.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (schema === undefined) continue;
      const json = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        const { description, ...rest } = property as { description?: string };
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: toSchema(response.schema) } } } : {}),
      };
    }
    for (const [status, description] of [
      [400, 'Invalid input: `errors` names each bad field (and item index)'],
      [401, 'No valid bearer token'],
      [403, 'Token lacks the scope, or its user the role'],
    ] as const) {
      responses[String(status)] ??= {
        description,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `${route.description ? `${route.description}\n\n` : ''}Scope \`${route.scope}\`; role ${route.role} or above.`,
      tags: [route.tag],
      security: [{ bearerAuth: [route.scope] }],
      'x-scope': route.scope,
      'x-role': route.role,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'Arrears REST API. Authenticate with `Authorization: Bearer <token>` (`arrears tokens create`).' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: `Scopes: ${Object.entries(API_SCOPES)
            .map(([k, v]) => `${k} (${v})`)
            .join('; ')}`,
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string' }, index: { type: 'integer' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
