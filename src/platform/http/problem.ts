import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from './errors';

export const PROBLEM_BASE = 'https://opencmp.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function sendProblem(reply: FastifyReply, req: FastifyRequest, status: number, code: string, detail: string,
  errors?: FieldError[], extra: Record<string, unknown> = {}): FastifyReply {
  const body: Problem = {
    type: PROBLEM_BASE + code, title: TITLES[status] ?? 'Error', status, detail, instance: req.url,
    requestId: String(req.id), ...(errors && errors.length ? { errors } : {}), ...extra,
  };
  return reply.code(status).type('application/problem+json').send(body);
}

/** The one mapping from anything thrown in a request to problem+json. Unknown errors leak nothing. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.status === 429 && err.extra.retryAfter) reply.header('retry-after', String(err.extra.retryAfter));
      return sendProblem(reply, req, err.status, err.code, err.message, err.errors, err.extra);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as FastifyError).validationContext ?? 'body';
      const errors = err.validation.map((v) => ({
        field: [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        reason: v.message ?? 'is invalid',
      }));
      return sendProblem(reply, req, 422, 'validation', 'the request is not valid', errors);
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = fe.statusCode === 429 ? 'too-many-requests' : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported-media-type' : 'bad-request';
      return sendProblem(reply, req, fe.statusCode, code, fe.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, req, 500, 'internal', `an internal error occurred; quote request id ${req.id}`);
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, req, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`));
}
