// Broadcast drafts proposed by other systems (CAP alerts, the 재난문자 feed), shared by the
// banner every sending desk shows and the dispatch page's import button. Only those who send
// county-wide see them: the backend refuses a chief or an auditor, and so does `visible`.
import { call, commands, type Draft } from './api';
import { session } from './session.svelte';

export const drafts = $state<{ open: Draft[] }>({ open: [] });

export function draftsVisible(): boolean {
  const a = session.current?.actor;
  return !!a && (a.role === 'admin' || a.role === 'operator');
}

/** Reads the open drafts again; returns the ids that were not open before. */
export async function loadDrafts(): Promise<number[]> {
  if (!draftsVisible()) {
    drafts.open = [];
    return [];
  }
  const before = new Set(drafts.open.map((d) => d.id));
  drafts.open = await call(commands.draftsOpen());
  return drafts.open.filter((d) => !before.has(d.id)).map((d) => d.id);
}

/** How many villages a draft is for, or null for the whole county. */
export function villageCount(d: Draft): number | null {
  return d.targets.kind === 'all' ? null : d.targets.ids.length;
}
