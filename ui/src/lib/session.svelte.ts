import type { Permission, Session } from './bindings';

/** Who is signed in, as the backend told us. The backend checks every call again. */
export const session = $state<{ current: Session | null }>({ current: null });

export function can(p: Permission): boolean {
  return session.current?.permissions.includes(p) ?? false;
}
