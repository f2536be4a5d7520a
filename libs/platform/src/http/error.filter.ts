import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { DomainError, maskPaymentCardNumbers } from '@loyalty/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

// A client told "unavailable" keeps its request and retries after this many seconds.
const RETRY_AFTER_SECONDS = '5';

const STATUS_BY_KIND: Record<DomainError['kind'], number> = {
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  notFound: HttpStatus.NOT_FOUND,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
};

// Every error leaves as `{ statusCode, code, message, field? }`; unexpected ones are logged.
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  constructor(private readonly loyaltyCardPrefix: string) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (exception instanceof DomainError) {
      const statusCode = STATUS_BY_KIND[exception.kind];
      void reply.status(statusCode).send({
        statusCode,
        code: exception.code,
        message: exception.message,
        ...(exception.field ? { field: exception.field } : {}),
      });
      return;
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const body =
        typeof response === 'string'
          ? { message: response }
          : (response as Record<string, unknown>);
      if (statusCode === HttpStatus.SERVICE_UNAVAILABLE)
        void reply.header('Retry-After', RETRY_AFTER_SECONDS);
      void reply.status(statusCode).send({
        ...body,
        statusCode,
        code: body.code ?? CODES[statusCode] ?? 'ERROR',
        message: Array.isArray(body.message) ? body.message.join('; ') : body.message,
      });
      return;
    }
    // Fastify's own errors (body too large, bad JSON) carry a statusCode.
    const fastifyStatus = (exception as { statusCode?: number }).statusCode;
    if (fastifyStatus && fastifyStatus >= 400 && fastifyStatus < 500) {
      void reply.status(fastifyStatus).send({
        statusCode: fastifyStatus,
        code: CODES[fastifyStatus] ?? 'BAD_REQUEST',
        message: maskPaymentCardNumbers((exception as Error).message, this.loyaltyCardPrefix),
      });
      return;
    }
    // Only what names the failure: a database error's query parameters are request data.
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      {
        err: {
          type: error.name,
          message: maskPaymentCardNumbers(error.message, this.loyaltyCardPrefix),
          code: (error as { code?: unknown }).code,
          stack: error.stack?.split('\n').slice(1).join('\n'),
        },
        requestId: request.id,
      },
      'Unhandled error',
    );
    void reply.status(500).send({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'Internal error',
      requestId: request.id,
    });
  }
}
