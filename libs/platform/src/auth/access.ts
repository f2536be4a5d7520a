import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';

export const STAFF_AND_SHOPPER_ROLES = [
  'marketer',
  'support',
  'admin',
  'shopper',
  'finance',
] as const;
export type Role = (typeof STAFF_AND_SHOPPER_ROLES)[number];

/** Who may call a route. A route without one is refused: access is denied by default. */
export type Access =
  { kind: 'public' } | { kind: 'terminal' } | { kind: 'roles'; roles: readonly Role[] };

export const ACCESS_KEY = 'loyalty:access';

/** A POS terminal, authenticated by its API key, acting for the one store the key is bound to. */
export interface Terminal {
  keyId: string;
  storeId: string;
  terminalId: string;
}

/** A staff member or shopper, authenticated by a JWT. */
export interface Principal {
  subject: string;
  roles: Role[];
}

export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);

export const ForTerminals = () =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { kind: 'terminal' } satisfies Access),
    ApiSecurity('terminal'),
  );

export const ForRoles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { kind: 'roles', roles } satisfies Access),
    ApiBearerAuth(),
  );

export const CurrentTerminal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Terminal => ctx.switchToHttp().getRequest().terminal,
);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
