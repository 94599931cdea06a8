import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { TooManyRequests } from './errors';

/**
 * Every error leaves the API as `{"error": "message", "details"?: [...]}` with a 4xx/5xx status;
 * unexpected errors are logged and never shown to the client.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { status, body } = this.toBody(exception);
    if (exception instanceof TooManyRequests) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: Record<string, unknown> } {
    // Express reports a body that is not JSON as a 400 whose cause is body-parser's error; it is
    // bad input like any other, so it gets the same shape, with the body as the field.
    const parseError = (exception instanceof HttpException ? exception.cause : exception) as
      { type?: string; message?: string } | undefined;
    if (parseError?.type === 'entity.parse.failed') {
      const reason = `is not valid JSON (${parseError.message ?? 'parse error'})`;
      return { status: HttpStatus.BAD_REQUEST, body: { error: `request body ${reason}`, details: [{ field: '(body)', reason }] } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      if (typeof r === 'object' && r !== null && typeof (r as { error?: unknown }).error === 'string' && !('statusCode' in r)) {
        return { status, body: r as Record<string, unknown> };
      }
      const message = typeof r === 'string' ? r : (r as { message?: unknown }).message;
      const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
      return { status, body: { error: text } };
    }
    // Errors thrown by body-parser carry their status (400 bad JSON, 413 too large).
    const e = exception as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { error: e.message ?? 'bad request' } };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: 'internal error' } };
  }
}
