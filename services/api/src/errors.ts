import type { ErrorRequestHandler } from 'express';
import type { Logger } from '@mastertrade/runtime';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error with the HTTP status and body the client gets; anything else becomes a bare 500. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; problems?: FieldProblem[]; in?: string } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${id} does not exist`);

/** body-parser errors carry `type` and `status`; map the ones a client causes. */
interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The one place errors become responses: JSON `{error, message, ...}`, never a stack trace.
 * Unexpected errors are logged with their stack and answered with a generic 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message, ...err.extra });
      return;
    }
    const bp = err as BodyParserError;
    if (bp.type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'request body is larger than the limit' });
      return;
    }
    if (bp.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', message: 'request body is not valid JSON', field: '(body)', in: 'body' });
      return;
    }
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
      res.status(415).json({ error: 'unsupported_media_type', message: 'unsupported body encoding or charset' });
      return;
    }
    if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      res.status(bp.status).json({ error: 'bad_request', message: 'the request could not be read' });
      return;
    }
    log.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), method: req.method, url: req.originalUrl }, 'request failed');
    res.status(500).json({ error: 'internal', message: 'internal error' });
  };
}
