import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

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
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: Record<string, unknown> } {
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
      const error = e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : (e.message ?? 'bad request');
      return { status, body: { error } };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: 'internal error' } };
  }
}
