import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

/**
 * The sample's stand-in for an app's admin auth: the dashboard answers only requests from this machine, unless
 * `DASHBOARD_OPEN=1`. A real app puts its own guard here (session, JWT, roles): any Nest guard works.
 */
@Injectable()
export class LocalOnlyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (process.env.DASHBOARD_OPEN === '1') return true;
    const req = ctx.switchToHttp().getRequest<{ socket?: { remoteAddress?: string } }>();
    const from = req.socket?.remoteAddress ?? '';
    return from === '127.0.0.1' || from === '::1' || from === '::ffff:127.0.0.1';
  }
}
