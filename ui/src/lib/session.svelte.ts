import type { Permission, Session } from './bindings';

/** Who is signed in, as the backend told us. The backend checks every call again. */
export const session = $state<{ current: Session | null }>({ current: null });

export function can(p: Permission): boolean {
  return session.current?.permissions.includes(p) ?? false;
}

/** Why the sign-in screen is showing, when the desk signed someone out (account switched off,
 *  idle lock). Cleared at the next sign-in. */
export const signInNote = $state<{ text: string }>({ text: '' });

/** Back to the sign-in screen, saying why. */
export function signedOut(note: string) {
  session.current = null;
  signInNote.text = note;
}
