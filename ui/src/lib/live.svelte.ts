// Live across desks: while signed in, the window asks every second what other desks changed
// (the audit log's head, see `changes_since`) and bumps a counter per area. Screens that list
// an area reload when its counter moves, so another official's edit shows here within 2 s.
import { call, commands, type Area } from './api';

export const live = $state<Record<Area, number>>({ registry: 0, dispatch: 0, programs: 0, budget: 0 });

const POLL_MS = 1000;
let head = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

async function poll() {
  try {
    const changes = await call(commands.changesSince(head));
    // The first answer only sets where to start from.
    if (head !== 0) for (const area of changes.areas) live[area]++;
    head = changes.head;
  } catch {
    // Signed out or the database busy: the next poll tries again.
  }
  timer = setTimeout(poll, POLL_MS);
}

/** Starts polling (once per window); returns what stops it. */
export function startLive(): () => void {
  if (timer === undefined) timer = setTimeout(poll, 0);
  return () => {
    clearTimeout(timer);
    timer = undefined;
    head = 0;
  };
}
