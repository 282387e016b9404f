// A desktop SPA: no server rendering, every page rendered in the webview.
export const ssr = false;
export const prerender = false;
