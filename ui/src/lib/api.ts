// Calls into the Rust backend through the generated bindings, turning the `Result` shape
// into a thrown `DeskError` that screens catch and show. Screens branch on `code`.
import { commands } from './bindings';
import type { AnchorState, ApiError, ErrorCode } from './bindings';
import { errorText, fieldText } from './errors';
import { i18n, t } from './i18n/index.svelte';
import { session, signedOut } from './session.svelte';

export { commands } from './bindings';
export type * from './bindings';

export class DeskError extends Error {
  code: ErrorCode;
  field: string | null;
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field;
  }

  get api(): ApiError {
    return { code: this.code, message: this.message, field: this.field };
  }
}

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: ApiError };

export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  const r = await pending;
  if (r.status === 'error') {
    // The backend checks the account on every call: switched off means signed out here too.
    if (r.error.code === 'not_signed_in' && session.current) signedOut(r.error.message);
    throw new DeskError(r.error);
  }
  return r.data;
}

/** A `DeskError`'s fields as `{ field: message }`, for forms. */
export function fieldErrors(e: unknown): Record<string, string> {
  if (e instanceof DeskError && e.field) return { [e.field]: fieldText(e.api, i18n.locale, t) };
  return {};
}

/** Whether the audit chain's anchor check found something to show (see `AnchorState`). */
export function anchorIsProblem(state: AnchorState): boolean {
  return state !== 'intact' && state !== 'started' && state !== 'not_kept';
}

/** What a failure says on screen: by `code` from the catalogue, with the backend's detail. */
export function messageOf(e: unknown): string {
  if (e instanceof DeskError) return errorText(e.api, i18n.locale, t);
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The ids of a group's members (what an undo of a group change puts back or takes out). */
export async function groupMemberIds(groupId: number): Promise<number[]> {
  const rows = await call(
    commands.listSubscribers({ town_id: null, village_id: null, channel: null, consented: null, enrollment: null, group_id: groupId })
  );
  return rows.map((r) => r.id);
}
