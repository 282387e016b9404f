/** One short message at a time, bottom right, optionally with one action (such as undo). */
export interface ToastAction {
  label: string;
  run: () => void;
}

export const toast = $state<{ text: string; bad: boolean; action: ToastAction | null }>({
  text: '',
  bad: false,
  action: null
});
let timer: ReturnType<typeof setTimeout> | undefined;

export function notify(text: string, bad = false, action: ToastAction | null = null) {
  toast.text = text;
  toast.bad = bad;
  toast.action = action;
  clearTimeout(timer);
  timer = setTimeout(() => dismiss(), action ? 8000 : bad ? 6000 : 3000);
}

export function dismiss() {
  toast.text = '';
  toast.action = null;
}
