export { AppError, ValidationError, NotFoundError, ConflictError, UnauthorizedError, ForbiddenError, TooManyRequestsError, type FieldError } from './errors';
export { sendProblem, PROBLEM_BASE, type Problem } from './problem';
export { pageQuery, pageOf, paginate, type Page, type PageQuery } from './pagination';
export { createHttpServer, type App, type Authenticator } from './server';
