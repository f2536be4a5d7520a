import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  OpenAPIObject,
  getSchemaPath,
} from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger';

// Every error an app answers, in its OpenAPI document: the status, what it means and the `code`
// values it can carry. Routes declare their own with @ApiErrors; documentErrors adds what every
// route of a kind can answer (the request screen, authentication, body parsing).

export class FieldErrorDto {
  @ApiProperty({ example: 'lines[2].amountCents' })
  field!: string;

  @ApiProperty({ type: [String], example: ['must be a whole number'] })
  messages!: string[];
}

export class ErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ description: 'Stable: clients switch on it', example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiProperty({ description: 'For a person; never echoes a value sent' })
  message!: string;

  @ApiPropertyOptional({ description: 'The field, header or part of the request at fault' })
  field?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every bad field (400)' })
  errors?: FieldErrorDto[];
}

export interface ErrorSpec {
  status: number;
  codes: readonly string[];
  description: string;
}

function errorResponse({ status, codes, description }: ErrorSpec): ResponseObject {
  return {
    description: `${description}. Codes: ${codes.join(', ')}`,
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ErrorDto) },
            { properties: { code: { type: 'string', enum: [...codes] } } },
          ],
        },
        example: { statusCode: status, code: codes[0], message: description },
      },
    },
  };
}

/** Documents the errors a route answers besides those every route of its kind answers. */
export function ApiErrors(...specs: ErrorSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorDto, FieldErrorDto),
    ...specs.map((spec) => ApiResponse({ status: spec.status, ...errorResponse(spec) })),
  );
}

const ANY_ROUTE: ErrorSpec[] = [
  {
    status: 400,
    codes: ['PAYMENT_CARD_DATA', 'BAD_URL'],
    description:
      'A payment card number in the path, the query string or a header (it is never echoed or logged), or a malformed URL',
  },
];
const PATH_PARAMETER_ROUTE: ErrorSpec[] = [
  {
    status: 414,
    codes: ['URI_TOO_LONG'],
    description: 'A path parameter is longer than 100 characters',
  },
];
const BODY_ROUTE: ErrorSpec[] = [
  {
    status: 400,
    codes: [
      'VALIDATION_FAILED',
      'PAYMENT_CARD_DATA',
      'INVALID_JSON',
      'BODY_REQUIRED',
      'BODY_NOT_AN_OBJECT',
      'BODY_TOO_DEEP',
    ],
    description:
      'The body breaks the contract (every bad field is named by path), holds a payment card number, is not JSON, is missing, or nests deeper than 32 levels; nothing was changed',
  },
  {
    status: 413,
    codes: ['PAYLOAD_TOO_LARGE'],
    description: 'The body is larger than the route takes',
  },
  {
    status: 415,
    codes: ['UNSUPPORTED_MEDIA_TYPE'],
    description: 'The Content-Type is missing or not one the route takes',
  },
];
const SECURED_ROUTE: ErrorSpec[] = [
  {
    status: 401,
    codes: ['UNAUTHORIZED'],
    description: 'No credentials, or an unknown, revoked or expired key or token',
  },
  {
    status: 403,
    codes: ['FORBIDDEN'],
    description: 'The caller may not use this route (role), or act for this store or lane',
  },
];

function merge(responses: Record<string, ResponseObject>, spec: ErrorSpec): void {
  const existing = responses[spec.status];
  if (!existing) {
    responses[spec.status] = errorResponse(spec);
    return;
  }
  const schema = existing.content?.['application/json']?.schema as
    { allOf?: { properties?: { code?: { enum?: string[] } } }[] } | undefined;
  const codes = schema?.allOf?.[1]?.properties?.code?.enum;
  if (!codes) return;
  const added = spec.codes.filter((code) => !codes.includes(code));
  codes.push(...added);
  if (added.length > 0) existing.description += `; ${spec.description}. Codes: ${added.join(', ')}`;
}

/** Adds to every operation of the document the errors every route of its kind can answer. */
export function documentErrors(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const responses = operation.responses as Record<string, ResponseObject>;
      const specs = [
        ...ANY_ROUTE,
        ...((operation.parameters ?? []).some((p) => 'in' in p && p.in === 'path')
          ? PATH_PARAMETER_ROUTE
          : []),
        ...(operation.requestBody ? BODY_ROUTE : []),
        ...((operation.security ?? []).length > 0 ? SECURED_ROUTE : []),
      ];
      for (const spec of specs) merge(responses, spec);
    }
  }
  return document;
}
