import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Inject,
  Logger,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { assertNever } from '@loyalty/domain';
import { ACCESS_KEY, Access, Principal, STAFF_AND_SHOPPER_ROLES, Role, Terminal } from './access';
import { TerminalKeyLookup, authenticateTerminalKey } from './terminal-keys';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  terminal?: Terminal;
  principal?: Principal;
}

// Terminal keys are looked up at most once per this many ms per key: the lane's hot path must not
// pay a database round trip per call; a revoked key stops working within this window.
const TERMINAL_CACHE_MS = 30_000;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly terminalCache = new Map<string, { terminal: Terminal; until: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    // Explicit token: a union type's design metadata is Object.
    @Optional() @Inject(TerminalKeyLookup) private readonly terminalKeys: TerminalKeyLookup | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!access) {
      this.logger.error(
        `Route ${context.getClass().name}.${context.getHandler().name} declares no access`,
      );
      throw new ForbiddenException('This route is closed');
    }
    switch (access.kind) {
      case 'public':
        return true;
      case 'terminal':
        request.terminal = await this.authenticateTerminal(request);
        return true;
      case 'roles': {
        const principal = await this.authenticatePrincipal(request);
        if (!principal.roles.some((role) => access.roles.includes(role))) {
          throw new ForbiddenException(`Requires one of the roles: ${access.roles.join(', ')}`);
        }
        request.principal = principal;
        return true;
      }
      default:
        return assertNever(access);
    }
  }

  private async authenticateTerminal(request: AuthenticatedRequest): Promise<Terminal> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey !== 'string')
      throw new UnauthorizedException('A terminal API key (X-Api-Key) is required');
    const now = Date.now();
    const cached = this.terminalCache.get(apiKey);
    if (cached && cached.until > now) return cached.terminal;
    // An app without terminal routes provides no lookup.
    const terminal = this.terminalKeys
      ? await authenticateTerminalKey(this.terminalKeys, apiKey)
      : null;
    if (!terminal) throw new UnauthorizedException('Unknown or revoked terminal API key');
    // Only real keys are cached, so the cache is bounded by the number of terminals.
    this.terminalCache.set(apiKey, { terminal, until: now + TERMINAL_CACHE_MS });
    return terminal;
  }

  private async authenticatePrincipal(request: AuthenticatedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const token =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null;
    if (!token) throw new UnauthorizedException('A bearer token is required');
    let claims: { sub?: unknown; roles?: unknown; exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    const roles = Array.isArray(claims.roles)
      ? claims.roles.filter((r): r is Role =>
          (STAFF_AND_SHOPPER_ROLES as readonly unknown[]).includes(r),
        )
      : [];
    if (typeof claims.sub !== 'string') throw new UnauthorizedException('Token has no subject');
    // A token that never expires cannot be withdrawn: refuse it.
    if (typeof claims.exp !== 'number') throw new UnauthorizedException('Token has no expiry');
    return { subject: claims.sub, roles };
  }
}
