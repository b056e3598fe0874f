import { announce, append, h, picture, type Child } from "../dom";
import { AddSiteFlow, usesBrowser, type FlowState, type Inputs } from "../flow";
import type { Api, SettingsView, SiteView, Way } from "../ipc";
import { accountHref } from "./accounts";
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

/** Add a site: address → site card → way to sign in → browser or form → signed in. */
export function addSiteView(root: HTMLElement, api: Api, startAddress = ""): () => void {
  const flow = new AddSiteFlow(api);
  const draft = emptyDraft();
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
    value: startAddress,
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
  form.addEventListener("submit", (e) => {
    e.preventDefault();
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
  if (startAddress) void flow.submitAddress(startAddress);
  else address.focus();
  return () => {
    unsubscribe();
    if (flow.state.step === "signing-in") void flow.cancel();
  };

  function render(s: FlowState): void {
    const busy = s.step === "discovering" || s.step === "signing-in";
    address.disabled = s.step === "signing-in";
    find.disabled = busy;
    area.setAttribute("aria-busy", String(busy));
    switch (s.step) {
      case "address":
        area.replaceChildren(s.error ? errorBox(s.error, h("button", { type: "button", onclick: () => void flow.submitAddress(address.value) }, "Try again")) : h("p", { class: "muted placeholder" }, "WP Connect will look the site up and show what it is and how you can sign in."));
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
        draft.password = "";
        const a = s.result.account;
        area.replaceChildren(
          h(
            "div",
            { class: "card success signed-in", "data-testid": "signed-in" },
            h("h2", { tabindex: "-1" }, `Signed in to ${a.siteName}`),
            h("p", {}, `as ${a.displayName && a.displayName !== a.username ? `${a.displayName} (${a.username})` : a.username}, with ${a.method}.`),
            h("p", { class: "muted" }, `Kept in ${s.result.storedIn}.`),
            ...s.result.notes.map((n) => h("p", { class: "note" }, n)),
            h("div", { class: "actions" }, h("a", { class: "button primary", href: accountHref(a.id), "data-testid": "open-account" }, "See your account"), h("a", { class: "button", href: "#/add", "data-testid": "add-another" }, "Add another site")),
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
        h("div", {}, h("h2", { "data-testid": "site-name" }, site.site.name || site.site.url), site.site.description ? h("p", { class: "muted", "data-testid": "site-tagline" }, site.site.description) : null),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Address"),
        h("dd", { "data-testid": "site-url" }, site.site.url),
        h("dt", {}, "Connection"),
        h("dd", {}, h("span", { class: `badge ${site.site.https ? "ok" : site.local ? "" : "warn"}`, "data-testid": "site-https" }, scheme)),
        h("dt", {}, "Time zone"),
        h("dd", {}, site.site.timezone),
        h("dt", {}, "Sign-in methods"),
        h("dd", { "data-testid": "site-methods" }, site.ways.filter((w) => !w.fallback).map((w) => w.label).join(", ") || "none found"),
      ),
      ...site.notes.map((n) => h("p", { class: "note" }, n)),
    );
  }

  function chooseForm(site: SiteView, way: Way | null, error?: { kind: string; message: string; hint: string }): HTMLElement {
    if (site.ways.length === 0) {
      return h("div", { class: "card" }, h("p", { "data-testid": "no-ways" }, site.reason), h("button", { type: "button", onclick: () => flow.back() }, "Try another address"));
    }
    const f = h("form", { class: "card sign-in-form", "data-testid": "sign-in-form" });
    const fs = h("fieldset", { class: "ways" }, h("legend", {}, "How to sign in"));
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
    f.append(h("p", { class: "reason", "data-testid": "reason" }, site.reason), fs);
    if (way) append(f, fieldsFor(site, way));
    if (error) {
      f.append(errorBox(error, h("button", { type: "submit", class: "primary", id: "retry", "data-testid": "retry" }, "Try again"), site.ways.length > 1 ? h("span", { class: "muted" }, "or choose another way above.") : null));
    }
    const keep = h("input", { type: "checkbox", id: "session-only", checked: draft.sessionOnly });
    keep.addEventListener("change", () => (draft.sessionOnly = keep.checked));
    if (plainHttpElsewhere(site)) {
      // Plain http to another computer: the person decides, knowingly, every time they add it.
      const allow = h("input", { type: "checkbox", id: "allow-plain-http", required: true, checked: draft.allowPlainHttp, "data-testid": "allow-plain-http", "aria-describedby": "allow-plain-http-help" });
      allow.addEventListener("change", () => (draft.allowPlainHttp = allow.checked));
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
    f.append(
      h("div", { class: "check" }, keep, h("label", { for: "session-only" }, "Only for this session (do not keep in the keyring)")),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "continue", "data-testid": "continue" }, way && usesBrowser(site, way) ? "Continue in your browser" : "Sign in"), h("button", { type: "button", onclick: () => flow.back() }, "Back")),
    );
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!f.reportValidity()) return;
      void flow.signIn(inputsFor(site, way));
    });
    return f;
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
      value: draft[key],
      "data-testid": id,
      "aria-describedby": opts.help ? `${id}-help` : undefined,
    });
    input.addEventListener("input", () => (draft[key] = input.value));
    return h("div", { class: "field" }, h("label", { for: id }, label, opts.required ? null : h("span", { class: "muted" }, " (optional)")), input, opts.help ? h("p", { id: `${id}-help`, class: "muted small" }, opts.help) : null);
  }

  function fieldsFor(site: SiteView, way: Way): Child[] {
    const port = { type: "number", min: 1024, max: 65535 };
    switch (way) {
      case "app-password":
        return [
          h("p", { class: "muted" }, "Your browser opens your site's \"Authorize Application\" page. Approve WP Connect there and come back: nothing to type here."),
          !site.appPasswordViaLink ? null : h("p", { class: "note" }, "On WordPress before 6.3 the site shows you the new password instead of sending it back: copy it, then choose \"Paste an Application Password\"."),
        ];
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
        if (!draft.clientId && settings?.wpcomClientId) draft.clientId = settings.wpcomClientId;
        if (!draft.redirectPort && settings?.wpcomRedirectPort) draft.redirectPort = String(settings.wpcomRedirectPort);
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
    const port = draft.redirectPort.trim() ? Number(draft.redirectPort) : undefined;
    const base: Inputs = { sessionOnly: draft.sessionOnly, allowPlainHttp: plainHttpElsewhere(site) && draft.allowPlainHttp };
    switch (way) {
      case "oauth2":
      case "wordpress-com":
        return { ...base, clientId: draft.clientId, clientSecret: draft.clientSecret || undefined, redirectPort: port };
      case "password":
        return { ...base, clientId: draft.clientId, clientSecret: draft.clientSecret || undefined, username: draft.username, password: draft.password };
      case "oauth1":
        return { ...base, consumerKey: draft.consumerKey, consumerSecret: draft.consumerSecret, redirectPort: port };
      case "app-password-paste":
        return { ...base, username: draft.username, password: draft.password };
      default:
        return base;
    }
  }

  function waiting(s: Extract<FlowState, { step: "signing-in" }>): HTMLElement {
    if (!s.browser) {
      return h("div", { class: "card waiting", "data-testid": "signing-in" }, h("h2", { tabindex: "-1" }, "Signing in…"), h("p", { class: "muted" }, "Asking the site; this takes a moment."));
    }
    const url = h("input", { type: "text", readonly: true, value: s.url ?? "", "aria-label": "Sign-in address", "data-testid": "browser-url" });
    const copy = h("button", { type: "button" }, "Copy");
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
    return h(
      "div",
      { class: "card waiting", "data-testid": "waiting" },
      h("h2", { tabindex: "-1" }, "Continue in your browser"),
      h("p", {}, s.url ? "Your browser was asked to open your site's sign-in page. Sign in and approve WP Connect there; this window carries on by itself." : "Opening your browser…"),
      s.url ? h("div", { class: "row" }, url, copy) : null,
      h("p", { class: "muted small" }, "Nothing opened? Copy the address into your browser."),
      s.waitingOn ? h("p", { class: "muted small" }, `Waiting for the answer at ${s.waitingOn}.`) : null,
      minutes ? h("p", { class: "muted small" }, `WP Connect stops waiting after ${minutes} minute${minutes === 1 ? "" : "s"}; you can then try again.`) : null,
      h("div", { class: "actions" }, cancel),
    );
  }
}

function announceStep(s: FlowState): void {
  switch (s.step) {
    case "address":
      if (s.error) announce(`${s.error.message} ${s.error.hint}`);
      return;
    case "discovering":
      return announce(`Looking for ${s.address}…`);
    case "choose":
      return announce(s.error ? `${s.error.message} ${s.error.hint}` : `Found ${s.site.site.name}. ${s.site.reason}`);
    case "signing-in":
      return announce(s.browser ? "Continue in your browser. WP Connect is waiting for the answer." : "Signing in…");
    case "done":
      return announce(`Signed in to ${s.result.account.siteName}.`);
  }
}

function focusFor(s: FlowState): void {
  // Keyboard users land where the next thing to do is.
  window.setTimeout(() => {
    const sel = s.step === "choose" ? (s.error ? "#retry" : "input[name=way]:checked") : s.step === "signing-in" ? "#cancel-sign-in, .waiting h2" : s.step === "done" ? ".signed-in h2" : s.step === "address" ? "#address" : null;
    if (sel) document.querySelector<HTMLElement>(sel)?.focus();
  }, 0);
}
