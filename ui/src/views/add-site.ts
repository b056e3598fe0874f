import { announce, append, facts, h, picture, type Child } from "../dom";
import { AddSiteFlow, type FlowState, type Inputs } from "../flow";
import type { Api, IpcError, SettingsView, SiteView, Way } from "../ipc";
import { accessSentence, KEPT, KEPT_SESSION, plainWay } from "../words";
import { accountHref } from "./accounts";
import { doctorHref } from "./doctor";
import { errorBox } from "./error-box";

/** What the person typed, kept across re-renders (a failed sign-in loses nothing). */
interface Draft {
  clientId: string;
  clientSecret: string;
  redirectPort: string;
  consumerKey: string;
  consumerSecret: string;
  username: string;
  password: string;
  sessionOnly: boolean;
  allowPlainHttp: boolean;
}

const emptyDraft = (): Draft => ({ clientId: "", clientSecret: "", redirectPort: "", consumerKey: "", consumerSecret: "", username: "", password: "", sessionOnly: false, allowPlainHttp: false });

/**
 * Adding a site outlives the screen: the flow and what was typed stay while the person looks at
 * another tab, and a sign-in in the browser keeps going (the header says it is waiting).
 */
export class AddSite {
  readonly flow: AddSiteFlow;
  draft = emptyDraft();
  address = "";
  private forSite = "";

  constructor(api: Api) {
    this.flow = new AddSiteFlow(api);
    this.flow.subscribe((s) => {
      // A different site's form starts empty (the choice to keep the sign-in only for this
      // session stays); the same site's keeps everything until a sign-in succeeds.
      if (s.step === "choose" && s.site.address !== this.forSite) {
        this.forSite = s.site.address;
        this.draft = { ...emptyDraft(), sessionOnly: this.draft.sessionOnly };
      }
      // Signed in: the next sign-in starts afresh (a failed one keeps everything).
      if (s.step === "done") {
        this.draft = emptyDraft();
        this.forSite = "";
      }
    });
  }
}

/** Add a site: address → site card → one way to connect (others folded away) → signed in. */
export function addSiteView(root: HTMLElement, api: Api, kept: AddSite, startAddress = ""): () => void {
  const flow = kept.flow;
  let settings: SettingsView | null = null;
  api.getSettings().then((s) => (settings = s), () => undefined);

  const address = h("input", {
    id: "address",
    name: "address",
    type: "text",
    inputmode: "url",
    autocomplete: "url",
    spellcheck: "false",
    placeholder: "example.com",
    required: true,
    value: startAddress || kept.address,
    "data-testid": "address",
    "aria-describedby": "address-help",
  });
  const find = h("button", { type: "submit", class: "primary", "data-testid": "find-site" }, "Find site");
  const form = h(
    "form",
    { class: "address-form", "data-testid": "address-form" },
    h("label", { for: "address" }, "Your site's address"),
    h("div", { class: "row" }, address, find),
    h("p", { id: "address-help", class: "muted small" }, "The address you visit the site at, such as example.com or https://example.com/blog."),
  );
  address.addEventListener("input", () => (kept.address = address.value));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    kept.address = address.value;
    void flow.submitAddress(address.value);
  });
  // The area below keeps its height while discovery runs, so nothing jumps.
  const area = h("section", { class: "flow-area", "aria-label": "Site and sign-in" });
  root.replaceChildren(h("h1", { tabindex: "-1" }, "Add a site"), form, area);

  let lastStep = "";
  const unsubscribe = flow.subscribe((s) => {
    const focused = (document.activeElement as HTMLElement | null)?.id;
    render(s);
    if (s.step === lastStep && focused) {
      // A re-render within a step keeps the keyboard where it was (the same control, by its id).
      document.getElementById(focused)?.focus();
    }
    if (s.step !== lastStep) {
      lastStep = s.step;
      announceStep(s);
      focusFor(s);
    }
  });
  if (startAddress && flow.state.step !== "signing-in") {
    kept.address = startAddress;
    void flow.submitAddress(startAddress);
  } else if (flow.state.step === "address") address.focus();
  // Leaving the screen leaves the sign-in running: only Cancel stops it.
  return unsubscribe;

  function render(s: FlowState): void {
    const busy = s.step === "discovering" || s.step === "signing-in";
    address.disabled = s.step === "signing-in";
    find.disabled = busy;
    // One primary action: finding the site until it is found, then going on with it.
    find.className = s.step === "address" || s.step === "discovering" ? "primary" : "quiet";
    area.setAttribute("aria-busy", String(busy));
    switch (s.step) {
      case "address":
        area.replaceChildren(s.error ? errorBox(s.error) : h("p", { class: "muted placeholder" }, "WP Connect will look the site up and show what it is and how you can sign in."));
        return;
      case "discovering":
        area.replaceChildren(h("div", { class: "card skeleton", "data-testid": "discovering" }, h("p", {}, `Looking for a WordPress site at ${s.address}…`), h("div", { class: "bar-skeleton" }), h("div", { class: "bar-skeleton short" })));
        return;
      case "choose":
        area.replaceChildren(siteCard(s.site), chooseForm(s.site, s.way, s.error));
        return;
      case "signing-in":
        area.replaceChildren(siteCard(s.site), waiting(s));
        return;
      case "done": {
        const a = s.result.account;
        area.replaceChildren(
          h(
            "div",
            { class: "card success signed-in", "data-testid": "signed-in" },
            h("h2", { tabindex: "-1" }, `Signed in to ${a.siteName}`),
            h("p", {}, `as ${a.displayName && a.displayName !== a.username ? `${a.displayName} (${a.username})` : a.username}.`),
            h("p", { class: "muted" }, a.sessionOnly ? KEPT_SESSION : KEPT),
            ...s.result.notes.map((n) => h("p", { class: "note" }, n)),
            details("signed-in-details", [["How", a.method], ["Kept in", s.result.storedIn]]),
            h("div", { class: "actions" }, h("a", { class: "button primary", href: accountHref(a.id), "data-testid": "open-account" }, "See your account"), h("a", { class: "button quiet", href: "#/add", "data-testid": "add-another", onclick: () => flow.back() }, "Add another site")),
          ),
        );
        return;
      }
    }
  }

  function siteCard(site: SiteView): HTMLElement {
    const scheme = site.site.https ? "https" : site.local ? "http (on this computer)" : "http, not secure";
    return h(
      "div",
      { class: "card site-card", "data-testid": "site-card" },
      h(
        "div",
        { class: "site-head" },
        picture(site.site.iconUrl, site.site.name, "site-icon"),
        h(
          "div",
          { class: "site-title" },
          h("h2", { "data-testid": "site-name" }, site.site.name || site.site.url),
          site.site.description ? h("p", { class: "muted", "data-testid": "site-tagline" }, site.site.description) : null,
          h("p", { class: "small" }, h("span", { "data-testid": "site-url" }, site.site.url), " ", h("span", { class: `badge ${site.site.https ? "ok" : site.local ? "" : "warn"}`, "data-testid": "site-https" }, scheme)),
        ),
      ),
      ...site.notes.map((n) => h("p", { class: "note" }, n)),
      details("site-details", [
        ["Time zone", site.site.timezone],
        ["Sign-in methods", h("span", { "data-testid": "site-methods" }, site.ways.filter((w) => !w.fallback).map((w) => w.label).join(", ") || "none found")],
        ["Recommended", h("span", { "data-testid": "reason" }, site.reason)],
        ["API", site.apiRoot],
      ]),
    );
  }

  function chooseForm(site: SiteView, way: Way | null, error?: IpcError): HTMLElement {
    if (site.ways.length === 0 || !way) {
      return h("div", { class: "card" }, h("p", { "data-testid": "no-ways" }, site.reason), h("button", { type: "button", class: "primary", onclick: () => flow.back() }, "Try another address"));
    }
    const plain = plainWay(way, site);
    const info = site.ways.find((w) => w.way === way);
    const f = h("form", { class: "card sign-in-form", "data-testid": "sign-in-form", "aria-labelledby": "connect-title" });
    append(f, [
      h("h2", { id: "connect-title", "data-testid": "connect-title" }, plain.title),
      way === "password" ? null : h("p", { class: "how", "data-testid": "how" }, plain.how),
      info?.usesBrowser ? h("p", { class: "muted small", "data-testid": "access" }, accessSentence(site)) : null,
    ]);
    append(f, fieldsFor(site, way));
    if (plainHttpElsewhere(site)) {
      // Plain http to another computer: the person decides, knowingly, every time they add it.
      const allow = h("input", { type: "checkbox", id: "allow-plain-http", required: true, checked: kept.draft.allowPlainHttp, "data-testid": "allow-plain-http", "aria-describedby": "allow-plain-http-help" });
      allow.addEventListener("change", () => (kept.draft.allowPlainHttp = allow.checked));
      f.append(
        h(
          "div",
          { class: "check warn-box", "data-testid": "plain-http-warning" },
          allow,
          h("label", { for: "allow-plain-http" }, "Sign in without encryption"),
          h("p", { id: "allow-plain-http-help", class: "small" }, `${site.site.url || site.apiRoot} does not use https and is not on this computer: your sign-in would cross the network unencrypted, readable by anyone on the way (public Wi-Fi, for one). Only tick this on a network you trust; better, ask the site's host for https.`),
        ),
      );
    }
    if (error) {
      const forAdmins = error.kind !== "cancelled" && error.kind !== "wrong_password" && error.kind !== "access_denied";
      f.append(errorBox(error, forAdmins ? h("a", { href: doctorHref(site.site.url || site.address), "data-testid": "doctor-link" }, "Check this site's set-up (for its admin)") : null));
    }
    const keep = h("input", { type: "checkbox", id: "session-only", checked: kept.draft.sessionOnly });
    keep.addEventListener("change", () => (kept.draft.sessionOnly = keep.checked));
    f.append(
      h("div", { class: "check" }, keep, h("label", { for: "session-only" }, "Sign me out when WP Connect closes")),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "continue", "data-testid": "continue" }, error ? "Try again" : plain.button), h("button", { type: "button", class: "quiet", onclick: () => flow.back() }, "Back")),
    );
    if (site.ways.length > 1) f.append(otherWays(site, way));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!f.reportValidity()) return;
      void flow.signIn(inputsFor(site, way));
    });
    return f;
  }

  /** Every way the site offers, for admins and developers: folded unless one of them is chosen. */
  function otherWays(site: SiteView, way: Way): HTMLElement {
    const fs = h("fieldset", { class: "ways" }, h("legend", { class: "visually-hidden" }, "How to sign in"));
    for (const w of site.ways) {
      const id = `way-${w.way}`;
      const radio = h("input", { type: "radio", name: "way", id, value: w.way, checked: w.way === way, "data-testid": id });
      radio.addEventListener("change", () => flow.pickWay(w.way));
      fs.append(
        h(
          "div",
          { class: `way${w.way === way ? " chosen" : ""}` },
          radio,
          h("label", { for: id }, h("span", { class: "way-label" }, w.label), w.way === site.recommended ? h("span", { class: "badge ok" }, "Recommended") : null, w.fallback ? h("span", { class: "badge warn" }, "Fallback") : null, h("span", { class: "way-about muted" }, w.about)),
        ),
      );
    }
    return h("details", { class: "other-ways", "data-testid": "other-ways", open: way !== site.recommended }, h("summary", {}, "Other ways to sign in (for site admins and developers)"), fs);
  }

  function plainHttpElsewhere(site: SiteView): boolean {
    return !site.site.https && !site.local && !site.wordpressCom;
  }

  function field(key: keyof Omit<Draft, "sessionOnly" | "allowPlainHttp">, label: string, opts: { type?: string; required?: boolean; help?: string; placeholder?: string; autocomplete?: string; min?: number; max?: number } = {}): HTMLElement {
    const id = `f-${key}`;
    const input = h("input", {
      id,
      name: key,
      type: opts.type ?? "text",
      required: opts.required,
      placeholder: opts.placeholder,
      autocomplete: opts.autocomplete ?? "off",
      spellcheck: "false",
      min: opts.min,
      max: opts.max,
      value: kept.draft[key],
      "data-testid": id,
      "aria-describedby": opts.help ? `${id}-help` : undefined,
    });
    input.addEventListener("input", () => (kept.draft[key] = input.value));
    return h("div", { class: "field" }, h("label", { for: id }, label, opts.required ? null : h("span", { class: "muted" }, " (optional)")), input, opts.help ? h("p", { id: `${id}-help`, class: "muted small" }, opts.help) : null);
  }

  function fieldsFor(site: SiteView, way: Way): Child[] {
    const port = { type: "number", min: 1024, max: 65535 };
    switch (way) {
      case "app-password":
        return [!site.appPasswordViaLink ? null : h("p", { class: "note" }, "If your site shows you a new password instead of sending you back, copy it, then choose \"Paste an Application Password\" under Other ways to sign in.")];
      case "app-password-paste":
        return [
          field("username", "Your WordPress username", { required: true, autocomplete: "username" }),
          field("password", "Application Password", { type: "password", required: true, help: "Users > Profile > Application Passwords on your site. Spaces are fine. Your normal password does not work here." }),
        ];
      case "oauth2":
        return [
          field("clientId", "Client ID", { required: true, help: "From your site's OAuth server (WP OAuth Server: OAuth Server > Clients). Ask your site's admin." }),
          field("clientSecret", "Client secret", { type: "password", help: "Only for confidential clients; kept in the keyring." }),
          field("redirectPort", "Redirect port", { ...port, placeholder: settings?.redirectPorts.join(", ") || "any free port", help: "When the client's redirect URI is http://127.0.0.1:PORT/callback, give that PORT." }),
        ];
      case "wordpress-com":
        if (!kept.draft.clientId && settings?.wpcomClientId) kept.draft.clientId = settings.wpcomClientId;
        if (!kept.draft.redirectPort && settings?.wpcomRedirectPort) kept.draft.redirectPort = String(settings.wpcomRedirectPort);
        if (settings?.wpcomClientId && settings.wpcomRedirectPort) {
          // The app's own WordPress.com application (Settings): nothing to type but its secret.
          return [field("clientSecret", "WordPress.com application secret", { type: "password", required: true, help: "From whoever set up WP Connect's WordPress.com application (Settings)." })];
        }
        return [
          field("clientId", "WordPress.com client ID", { required: true, help: "Your application at developer.wordpress.com/apps (also in Settings)." }),
          field("clientSecret", "Client secret", { type: "password", required: true, help: "WordPress.com needs the application's secret; kept in the keyring." }),
          field("redirectPort", "Redirect port", { ...port, required: true, help: "The PORT of the redirect URL registered for the application: http://127.0.0.1:PORT/callback." }),
        ];
      case "oauth1":
        return [
          field("consumerKey", "Consumer key", { required: true, help: "Users > Applications on your site." }),
          field("consumerSecret", "Consumer secret", { type: "password", required: true }),
          field("redirectPort", "Callback port", { ...port, required: true, help: "The application's callback must be http://127.0.0.1:PORT/callback." }),
        ];
      case "password":
        return [
          h("p", { class: "note fallback", "data-testid": "fallback-note" }, plainHttpElsewhere(site)
            ? "Fallback: this sends your password to the site once, here without encryption, and never keeps it. Prefer the browser sign-in when you can."
            : "Fallback: this sends your password to the site once (over https, or to a site on this computer) and never keeps it. Prefer the browser sign-in when you can."),
          field("clientId", "Client ID", { required: true, help: "The OAuth client your site's admin registered, with the password grant enabled." }),
          field("clientSecret", "Client secret", { type: "password" }),
          field("username", "Username", { required: true, autocomplete: "username" }),
          field("password", "Password", { type: "password", required: true, autocomplete: "current-password" }),
        ];
    }
  }

  function inputsFor(site: SiteView, way: Way | null): Inputs {
    const port = kept.draft.redirectPort.trim() ? Number(kept.draft.redirectPort) : undefined;
    const base: Inputs = { sessionOnly: kept.draft.sessionOnly, allowPlainHttp: plainHttpElsewhere(site) && kept.draft.allowPlainHttp };
    switch (way) {
      case "oauth2":
      case "wordpress-com":
        return { ...base, clientId: kept.draft.clientId, clientSecret: kept.draft.clientSecret || undefined, redirectPort: port };
      case "password":
        return { ...base, clientId: kept.draft.clientId, clientSecret: kept.draft.clientSecret || undefined, username: kept.draft.username, password: kept.draft.password };
      case "oauth1":
        return { ...base, consumerKey: kept.draft.consumerKey, consumerSecret: kept.draft.consumerSecret, redirectPort: port };
      case "app-password-paste":
        return { ...base, username: kept.draft.username, password: kept.draft.password };
      default:
        return base;
    }
  }

  function waiting(s: Extract<FlowState, { step: "signing-in" }>): HTMLElement {
    if (!s.browser) {
      return h("div", { class: "card waiting", "data-testid": "signing-in" }, h("h2", { tabindex: "-1" }, "Signing in…"), h("p", { class: "muted" }, "Asking the site; this takes a moment."));
    }
    const url = h("input", { type: "text", readonly: true, value: s.url ?? "", "aria-label": "Sign-in address", "data-testid": "browser-url" });
    const copy = h("button", { type: "button", class: "quiet" }, "Copy");
    copy.addEventListener("click", async () => {
      url.select();
      try {
        await navigator.clipboard.writeText(url.value);
        announce("Address copied.");
      } catch {
        announce("Select the address and copy it.");
      }
    });
    const cancel = h("button", { type: "button", class: "danger", id: "cancel-sign-in", "data-testid": "cancel", disabled: s.cancelling }, s.cancelling ? "Cancelling…" : "Cancel");
    cancel.addEventListener("click", () => void flow.cancel());
    const minutes = s.timeoutSecs ? Math.round(s.timeoutSecs / 60) : null;
    // Compact: the way out (Cancel) is in view without scrolling, above the details.
    return h(
      "div",
      { class: "card waiting", "data-testid": "waiting" },
      h("h2", { tabindex: "-1" }, "Continue in your browser"),
      h("p", {}, s.url ? "Your browser was asked to open your site. Approve WP Connect there; this window carries on by itself." : "Opening your browser…"),
      h("div", { class: "actions" }, cancel),
      s.url ? h("p", { class: "muted small" }, "Nothing opened? Copy this address into your browser:") : null,
      s.url ? h("div", { class: "row" }, url, copy) : null,
      minutes ? h("p", { class: "muted small" }, `WP Connect stops waiting after ${minutes} minute${minutes === 1 ? "" : "s"}; you can then try again.`) : null,
      s.waitingOn ? details("waiting-details", [["Answer expected at", s.waitingOn]]) : null,
    );
  }
}

/** The technical facts behind a screen, one click away. */
function details(testid: string, rows: Array<[string, Child | Child[]]>): HTMLElement {
  return h("details", { class: "details", "data-testid": testid }, h("summary", {}, "Details"), facts(rows));
}

function announceStep(s: FlowState): void {
  switch (s.step) {
    case "address":
      if (s.error) announce(`${s.error.message} ${s.error.hint}`);
      return;
    case "discovering":
      return announce(`Looking for ${s.address}…`);
    case "choose":
      return announce(s.error ? `${s.error.message} ${s.error.hint}` : `Found ${s.site.site.name}.${s.way ? ` ${plainWay(s.way, s.site).how}` : ""}`);
    case "signing-in":
      return announce(s.browser ? "Continue in your browser. WP Connect is waiting for the answer." : "Signing in…");
    case "done":
      return announce(`Signed in to ${s.result.account.siteName}.`);
  }
}

function focusFor(s: FlowState): void {
  // Keyboard users land where the next thing to do is.
  window.setTimeout(() => {
    const sel = s.step === "choose" ? (s.error ? "#continue" : ".sign-in-form .field input, #continue") : s.step === "signing-in" ? "#cancel-sign-in, .waiting h2" : s.step === "done" ? ".signed-in h2" : s.step === "address" ? "#address" : null;
    if (sel) document.querySelector<HTMLElement>(sel)?.focus();
  }, 0);
}
