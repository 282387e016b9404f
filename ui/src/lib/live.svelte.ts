// Live across desks: while signed in, the window asks every second what other desks changed
// (the audit log's head, see `changes_since`) and bumps a counter per area. Screens that list
// an area reload when its counter moves, so another official's edit shows here within 2 s.
import { call, commands, type Area } from './api';

export const live = $state<Record<Area, number>>({ registry: 0, dispatch: 0, programs: 0, budget: 0 });

const POLL_MS = 1000;
// Each start gets a new generation; a poll that finds the generation moved on (a stop, or a
// sign-out and sign-in while it waited on the database) ends instead of rescheduling itself.
let generation = 0;

async function poll(mine: number, head: number) {
  let next = head;
  try {
    const changes = await call(commands.changesSince(head));
    if (mine !== generation) return;
    // The first answer only sets where to start from.
    if (head !== 0) for (const area of changes.areas) live[area]++;
    next = changes.head;
  } catch {
    // Signed out or the database busy: the next poll tries again.
  }
  if (mine === generation) setTimeout(() => poll(mine, next), POLL_MS);
}

/** Starts polling for this sign-in; returns what stops it. */
export function startLive(): () => void {
  const mine = ++generation;
  setTimeout(() => poll(mine, 0), 0);
  return () => {
    if (generation === mine) generation++;
  };
}
