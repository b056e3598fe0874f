// The window's own preferences, kept by the page (localStorage): the theme (the system's, or
// light or dark) and the zoom (Ctrl+= / Ctrl+- / Ctrl+0, as in a browser).
import { announce } from "./dom";
import type { Api } from "./ipc";

export type Theme = "system" | "light" | "dark";

const THEME_KEY = "wpconnect.theme";
const ZOOM_KEY = "wpconnect.zoom";
/** The zoom steps, as browsers offer them. */
export const ZOOM_STEPS = [0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];

export function theme(): Theme {
  const t = localStorage.getItem(THEME_KEY);
  return t === "light" || t === "dark" ? t : "system";
}

export function setTheme(t: Theme): void {
  if (t === "system") {
    localStorage.removeItem(THEME_KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(THEME_KEY, t);
    document.documentElement.dataset.theme = t;
  }
}

export function zoom(): number {
  const z = Number(localStorage.getItem(ZOOM_KEY));
  return ZOOM_STEPS.includes(z) ? z : 1;
}

/** The next step up (+1) or down (-1) from `now`, or back to 100 % (0). */
export function nextZoom(now: number, dir: -1 | 0 | 1): number {
  if (dir === 0) return 1;
  const i = ZOOM_STEPS.findIndex((z) => z >= now - 0.001);
  const at = i < 0 ? ZOOM_STEPS.length - 1 : i;
  return ZOOM_STEPS[Math.min(ZOOM_STEPS.length - 1, Math.max(0, at + dir))];
}

/** Apply the kept theme and zoom, and listen for the zoom keys. */
export function applyPrefs(api: Api): void {
  setTheme(theme());
  let current = zoom();
  if (current !== 1) void api.setZoom(current).catch(() => undefined);
  window.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const dir = e.key === "=" || e.key === "+" ? 1 : e.key === "-" ? -1 : e.key === "0" ? 0 : null;
    if (dir === null) return;
    e.preventDefault();
    const want = nextZoom(current, dir);
    api.setZoom(want).then(
      (got) => {
        current = got;
        if (got === 1) localStorage.removeItem(ZOOM_KEY);
        else localStorage.setItem(ZOOM_KEY, String(got));
        announce(`Zoom ${Math.round(got * 100)} %`);
      },
      () => announce("The page could not be zoomed; use the system's display scaling."),
    );
  });
}
