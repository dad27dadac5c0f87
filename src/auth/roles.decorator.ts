import { SetMetadata } from '@nestjs/common';
import type { Role } from '../users/user.entity';

export const ACCESS_KEY = 'exportready:access';

export type Access = { kind: 'public' } | { kind: 'signed-in'; roles: Role[] };

/** Anyone, signed in or not. Routes without an access decorator are refused by the guard. */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);

/** A signed-in user with one of the roles (none listed: any role). Admins pass every role check. */
export const RequireRole = (...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'signed-in', roles } satisfies Access);
