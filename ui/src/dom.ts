// Building the page from data without ever parsing data as HTML: every value a site sends goes
// in as text (no innerHTML anywhere).

type Attr = string | number | boolean | null | undefined | ((e: Event) => void);
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else if (k === "value" && (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) el.value = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

/** Tell screen readers what just happened (the page's polite live region). */
export function announce(text: string): void {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = "";
  // A fresh text node so the same sentence twice is still read.
  window.setTimeout(() => (region.textContent = text), 30);
}

/** A picture, or the first letter of its name when there is none (or it fails to load). */
export function picture(url: string | null, name: string, cls: string): HTMLElement {
  const letter = h("span", { class: `${cls} letter`, "aria-hidden": "true" }, (name.trim()[0] ?? "?").toUpperCase());
  if (!url) return letter;
  const img = h("img", { class: cls, src: url, alt: "", width: 40, height: 40, loading: "lazy", referrerpolicy: "no-referrer" });
  img.addEventListener("error", () => img.replaceWith(letter));
  return img;
}

/** "in 5 min", "2 h ago": a time relative to now. */
export function relative(unixSecs: number, now = Date.now() / 1000): string {
  const d = Math.round(unixSecs - now);
  const abs = Math.abs(d);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 * 2 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export function when(unixSecs: number | null): string {
  if (unixSecs === null) return "—";
  return `${new Date(unixSecs * 1000).toLocaleString()} (${relative(unixSecs)})`;
}

/** A definition list from label/value pairs; empty values are left out. */
export function facts(rows: Array<[string, Child | Child[]]>, testid?: string): HTMLDListElement {
  const dl = h("dl", { class: "facts", "data-testid": testid });
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "" || value === false) continue;
    const dd = h("dd");
    append(dd, Array.isArray(value) ? value : [value]);
    dl.append(h("dt", {}, label), dd);
  }
  return dl;
}

/** Resolves once the page has loaded (at once if it has): work that can wait goes after it. */
export function loaded(): Promise<void> {
  if (document.readyState === "complete") return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("load", () => resolve(), { once: true }));
}
