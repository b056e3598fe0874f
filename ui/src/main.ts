// The window: a header, the current screen (from the address's #fragment), a live region.
import { announce, h, loaded } from "./dom";
import { asIpcError, errorText, takeBoot, tauriApi, type Api, type IpcError } from "./ipc";
import { errorBox } from "./views/error-box";
import { accountView } from "./views/account";
import { accountsView } from "./views/accounts";
import { AddSite, addSiteView } from "./views/add-site";
import { applyPrefs } from "./prefs";
import { doctorView } from "./views/doctor";
import { settingsView } from "./views/settings";

const api: Api = tauriApi;
const boot = takeBoot();
const root = document.getElementById("app")!;
let leave: (() => void) | undefined;
let bootUsed = false;
let routeSeq = 0;
/** Adding a site lives as long as the window: nothing typed is lost by looking at another tab. */
const adding = new AddSite(api);
applyPrefs(api);

// While a sign-in waits for the browser, the "Add a site" tab says so, from any screen.
const addLink = document.querySelector<HTMLAnchorElement>("[data-testid=nav-add]")!;
const waitingNote = h("span", { class: "nav-note", "data-testid": "nav-waiting" }, " · waiting for your browser");
adding.flow.subscribe((s) => {
  const waiting = s.step === "signing-in";
  if (waiting && !waitingNote.isConnected) addLink.append(waitingNote);
  if (!waiting) waitingNote.remove();
  if (s.step === "done" && !location.hash.startsWith("#/add")) announce(`Signed in to ${s.result.account.siteName}.`);
});

function route(): void {
  leave?.();
  leave = undefined;
  const hash = location.hash || "#/";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query ?? "");
  for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
    const current = a.getAttribute("href") === `#${path}` || (path.startsWith("/account/") && a.getAttribute("href") === "#/");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const seq = ++routeSeq;
  const ready = (view: Promise<unknown>) =>
    void view.then(
      () => {
        // Screen readers and keyboards start at the new screen's heading (or where it put them).
        if (seq === routeSeq && !root.contains(document.activeElement)) root.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
      },
      (e: unknown) => {
        if (seq === routeSeq) root.replaceChildren(errorBox(asIpcError(e)));
      },
    );
  if (path === "/add") leave = addSiteView(root, api, adding, params.get("address") ?? "");
  else if (path.startsWith("/account/")) ready(accountView(root, api, decodeURIComponent(path.slice("/account/".length))));
  else if (path === "/settings") ready(settingsView(root, api));
  else if (path === "/doctor") leave = doctorView(root, api, params.get("address") ?? "");
  else {
    // The first screen uses what the app handed over as it made the window (once).
    const known = boot?.accounts && !bootUsed ? boot.accounts : undefined;
    bootUsed = true;
    ready(accountsView(root, api, known).then(flash));
  }
  ready(Promise.resolve());
}

/** A message carried over a screen change (after signing out). */
function flash(): void {
  const said = sessionStorage.getItem("wpconnect.flash");
  if (!said) return;
  sessionStorage.removeItem("wpconnect.flash");
  const p = document.createElement("p");
  p.className = "flash";
  p.dataset.testid = "flash";
  p.textContent = said;
  root.querySelector(".page-head")?.after(p);
  announce(said);
}

/** The app could not start: the reason and what to do, in place of every screen. */
function cannotStart(e: IpcError): void {
  document.querySelector("header nav")?.remove();
  const heading = h("h1", { tabindex: "-1" }, "WP Connect cannot start");
  root.replaceChildren(h("div", { class: "page-head", "data-testid": "cannot-start" }, heading), errorBox(e));
  heading.focus({ preventScroll: true });
}

performance.mark("wpconnect:script-start");
if (boot?.startError) {
  cannotStart(boot.startError);
} else {
  window.addEventListener("hashchange", route);
  route();
}

const versionLine = document.getElementById("core-version")!;
(boot?.appInfo ? Promise.resolve(boot.appInfo) : loaded().then(() => api.appInfo()))
  .then((info) => (versionLine.textContent = `${info.name} ${info.version} · core ${info.coreVersion}`))
  .catch((e: unknown) => {
    versionLine.classList.add("error");
    versionLine.textContent = errorText(e);
  });
