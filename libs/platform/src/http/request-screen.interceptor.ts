import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { findPaymentCardNumbers } from '@loyalty/domain';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { PlatformConfig } from '../config/platform-config';

// Where `@ApiConsumes` keeps a handler's media types (@nestjs/swagger's DECORATORS.API_CONSUMES,
// which the package does not export).
const API_CONSUMES = 'swagger/apiConsumes';

// Headers that are never logged (redacted) and carry credentials of their own shape.
const UNLOGGED_HEADERS = new Set(['authorization', 'x-api-key']);

export const JSON_MEDIA_TYPE = 'application/json';

function mediaTypeOf(request: FastifyRequest): string | undefined {
  return request.headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined;
}

/**
 * Every request, before any route works on it: a route that takes a body gets it in a media type
 * it declares (`@ApiConsumes`, JSON by default; 415 otherwise) and gets one (400); and no string
 * of the body, the path, the query or a logged header holds a payment card number (400 PAYMENT_CARD_DATA
 * naming where, never echoing it). Runs after authentication, before validation.
 */
@Injectable()
export class RequestScreenInterceptor implements NestInterceptor {
  private readonly bodyMediaTypes = new WeakMap<object, string[] | null>();

  constructor(private readonly config: PlatformConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const accepted = this.bodyMediaTypesOf(context);
    if (accepted) this.screenBody(request, accepted);
    this.screenForCardData(request);
    return next.handle();
  }

  /** The media types a handler takes its body in, or null if it takes none. */
  private bodyMediaTypesOf(context: ExecutionContext): string[] | null {
    const handler = context.getHandler();
    const known = this.bodyMediaTypes.get(handler);
    if (known !== undefined) return known;
    const args: Record<string, unknown> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
    const takesBody = Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
    const declared: string[] | undefined = Reflect.getMetadata(API_CONSUMES, handler);
    const types = takesBody ? (declared ?? [JSON_MEDIA_TYPE]) : null;
    this.bodyMediaTypes.set(handler, types);
    return types;
  }

  private screenBody(request: FastifyRequest, accepted: string[]): void {
    const mediaType = mediaTypeOf(request);
    if (!mediaType || !accepted.includes(mediaType)) {
      throw new UnsupportedMediaTypeException({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `Send the body as ${accepted.join(' or ')} (Content-Type: ${mediaType ?? 'missing'})`,
        field: 'content-type',
      });
    }
    const body: unknown = request.body;
    if (body === undefined || body === null || body === '') {
      throw new BadRequestException({
        code: 'BODY_REQUIRED',
        message: `This route takes a body (${accepted.join(' or ')})`,
        field: 'body',
      });
    }
    if (mediaType === JSON_MEDIA_TYPE && (typeof body !== 'object' || Array.isArray(body))) {
      throw new BadRequestException({
        code: 'BODY_NOT_AN_OBJECT',
        message: 'The body must be a JSON object',
        field: 'body',
      });
    }
  }

  private screenForCardData(request: FastifyRequest): void {
    const prefix = this.config.LOYALTY_CARD_PREFIX;
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !UNLOGGED_HEADERS.has(name)),
    );
    const fields = [
      ...(typeof request.body === 'object' ? findPaymentCardNumbers(request.body, prefix) : []),
      ...findPaymentCardNumbers(request.query, prefix, 'query'),
      ...findPaymentCardNumbers(request.params, prefix, 'path'),
      ...findPaymentCardNumbers(headers, prefix, 'headers'),
    ];
    if (fields.length > 0) {
      throw new BadRequestException({
        code: 'PAYMENT_CARD_DATA',
        message: `${fields.join(', ')} ${fields.length > 1 ? 'hold' : 'holds'} a payment card number; card data must never be sent`,
        field: fields[0],
        errors: fields.map((field) => ({
          field,
          messages: ['holds a payment card number; card data must never be sent'],
        })),
      });
    }
  }
}
