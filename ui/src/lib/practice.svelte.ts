// Practice mode of this window's session, as the backend holds it. Every screen shows the
// banner while it is on; the backend, not this flag, keeps practice sends away from real
// providers. Another person's session (or this one after sign-out) sends for real.
import { call, commands, type PracticeState } from './api';

export const practice = $state<{ current: PracticeState }>({ current: { on: false, since: null, by: null } });

export async function refreshPractice() {
  try {
    practice.current = await call(commands.practiceState());
  } catch {
    // Signed out: no banner.
    practice.current = { on: false, since: null, by: null };
  }
}

export async function setPractice(on: boolean) {
  practice.current = await call(commands.setPracticeMode(on));
}
