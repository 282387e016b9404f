// Live across desks: while signed in, the window asks what other desks changed (the audit
// log's head, see `changes_since`) and bumps a counter per area. Screens that list an area
// reload when its counter moves. On a file it asks every second; on the office server the
// desk hears every commit (PostgreSQL NOTIFY, the `officeChanged` event) and asks at once,
// the timer then only a safety net for a listener that lost its connection.
import { call, commands, type Area } from './api';
import { events } from './bindings';

export const live = $state<Record<Area, number>>({ registry: 0, dispatch: 0, programs: 0, budget: 0 });

const POLL_MS = 1000;
const TOLD_POLL_MS = 15000;
// Each start gets a new generation; a poll that finds the generation moved on (a stop, or a
// sign-out and sign-in while it waited on the database) ends instead of rescheduling itself.
let generation = 0;

/** Starts watching for this sign-in; returns what stops it. */
export function startLive(): () => void {
  const mine = ++generation;
  let head = 0;
  let told = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asking = false;
  let askAgain = false;

  async function poll(byTimer = false) {
    // One question at a time; an event during it asks once more after.
    if (asking) {
      askAgain = true;
      return;
    }
    asking = true;
    clearTimeout(timer);
    try {
      const changes = await call(commands.changesSince(head));
      if (mine !== generation) return;
      // The first answer only sets where to start from.
      if (head !== 0) for (const area of changes.areas) live[area]++;
      // A change no event announced: the listener has gone quiet (a connection dropped
      // without a word), so the window asks every second again until the next event.
      if (byTimer && head !== 0 && changes.head !== head) told = false;
      head = changes.head;
    } catch {
      // Signed out or the database busy: the next poll tries again.
    } finally {
      asking = false;
    }
    if (mine !== generation) return;
    if (askAgain) {
      askAgain = false;
      void poll();
    } else {
      timer = setTimeout(() => poll(true), told ? TOLD_POLL_MS : POLL_MS);
    }
  }

  const unlisten = events.officeChanged.listen(() => {
    told = true;
    if (mine === generation) void poll();
  });
  timer = setTimeout(() => poll(), 0);
  return () => {
    if (generation === mine) generation++;
    clearTimeout(timer);
    void unlisten.then((off) => off());
  };
}
