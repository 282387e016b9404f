// Saving a sign-in sheet and planning reminders: the same two actions for workshops and
// training sessions.
import { save } from '@tauri-apps/plugin-dialog';
import { call, commands, messageOf, type EventKind } from '$lib/api';
import { t, tf } from '$lib/i18n/index.svelte';
import { notify } from '$lib/toast.svelte';

export async function saveSignIn(kind: EventKind, id: number, name: string) {
  const path = await save({ defaultPath: tf('file.signin_sheet', { name }), filters: [{ name: 'PDF', extensions: ['pdf'] }] });
  if (!path) return;
  try {
    const pages = await call(commands.signInPdfSave(kind, id, 5, path));
    notify(`${t('file.saved')}: ${pages}${t('budget.pages')} → ${path}`);
  } catch (e) {
    notify(messageOf(e), true);
  }
}

export async function planReminders(kind: EventKind, id: number) {
  try {
    const plan = await call(commands.remindersPlan(kind, id));
    const skipped = plan.skipped.length ? ` · ${t('reminders.skipped')} ${plan.skipped.length} (${plan.skipped.map((s) => `${s.name}: ${t(`reminders.skip.${s.reason}`)}`).slice(0, 3).join(', ')})` : '';
    notify(`${plan.practice ? t('practice.prefix') : ''}${t('reminders.scheduled')} ${plan.scheduled}${skipped}`);
  } catch (e) {
    notify(messageOf(e), true);
  }
}
