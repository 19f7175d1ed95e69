/**
 * Typed errors thrown by services. One Fastify error handler (problem.ts) maps them to RFC 9457
 * problem+json with a stable `type` and `errors[{field, reason}]`.
 */
export interface FieldError {
  field: string;
  reason: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, errors: FieldError[] = []) {
    super(422, 'validation', message, errors);
  }
  static field(field: string, reason: string): ValidationError {
    return new ValidationError(`${field}: ${reason}`, [{ field, reason }]);
  }
}
export class NotFoundError extends AppError {
  constructor(entity: string, id?: string) {
    super(404, 'not-found', id ? `${entity} ${id} was not found` : `${entity} was not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super(409, 'conflict', message, errors, extra);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'authentication is required', code = 'unauthorized') {
    super(401, code, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'you are not allowed to do this') {
    super(403, 'forbidden', message);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(429, 'too-many-requests', message, [], retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {});
  }
}
