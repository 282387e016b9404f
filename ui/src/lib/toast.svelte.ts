/** One short message at a time, bottom right. */
export const toast = $state<{ text: string; bad: boolean }>({ text: '', bad: false });
let timer: ReturnType<typeof setTimeout> | undefined;

export function notify(text: string, bad = false) {
  toast.text = text;
  toast.bad = bad;
  clearTimeout(timer);
  timer = setTimeout(() => (toast.text = ''), bad ? 6000 : 3000);
}
