import { announce, h } from "../dom";
import { asIpcError, type Api, type Check, type CheckStatus, type Report } from "../ipc";
import { errorBox } from "./error-box";

const MARK: Record<CheckStatus, string> = { pass: "Pass", warn: "Warning", fail: "Fail", skipped: "Skipped" };

/** "Check configuration": the doctor's report for site admins, check by check, with the fixes. */
export function doctorView(root: HTMLElement, api: Api): () => void {
  const input = (id: string, label: string, help: string, extra: Record<string, string | boolean> = {}) => {
    const el = h("input", { id, name: id, spellcheck: "false", autocomplete: "off", "data-testid": `doctor-${id}`, "aria-describedby": `${id}-help`, ...extra });
    return { el, field: h("div", { class: "field" }, h("label", { for: id }, label, extra.required ? null : h("span", { class: "muted" }, " (optional)")), el, h("p", { id: `${id}-help`, class: "muted small" }, help)) };
  };
  const address = input("doctor-address", "Site address", "The site to check, as people type it.", { required: true, inputmode: "url" });
  const clientId = input("client-id", "OAuth2 client ID", "Checks the client: it exists, its redirect URI, how strictly it is matched, its grants.");
  const clientSecret = input("client-secret", "Client secret", "For confidential clients. Used for the probes only; never shown or kept.", { type: "password" });
  const redirectUri = input("redirect-uri", "Redirect URI", "The one people sign in with; WP Connect's is http://127.0.0.1:PORT/callback.");
  const consumerKey = input("consumer-key", "OAuth 1.0a consumer key", "Checks the consumer key, its callback and the server's clock.");
  const consumerSecret = input("consumer-secret", "Consumer secret", "Only for the live OAuth 1.0a sign-in.", { type: "password" });
  const live = h("input", { type: "checkbox", id: "doctor-live", "data-testid": "doctor-live" });
  const run = h("button", { type: "submit", class: "primary", "data-testid": "run-doctor" }, "Check");
  const cancel = h("button", { type: "button", class: "danger", hidden: true }, "Cancel");
  const status = h("p", { class: "muted", "aria-live": "polite", "data-testid": "doctor-status" });
  const results = h("section", { class: "doctor-results", "aria-label": "Report" });
  const form = h(
    "form",
    { class: "card", "data-testid": "doctor-form" },
    h("p", { class: "muted" }, "For site admins: whether the site and its OAuth clients are set up so people can sign in, and what to change when not. Only reads, unless you choose the live sign-in."),
    address.field,
    clientId.field,
    clientSecret.field,
    redirectUri.field,
    consumerKey.field,
    consumerSecret.field,
    h("div", { class: "check" }, live, h("label", { for: "doctor-live" }, "Live: sign in once in my browser to test PKCE, state, token lifetimes, refresh and revocation (the tokens are revoked at the end and never kept)")),
    h("div", { class: "actions" }, run, cancel),
    status,
  );
  root.replaceChildren(h("h1", { tabindex: "-1" }, "Check configuration"), form, results);
  let running = false;
  cancel.addEventListener("click", () => void api.cancelSignIn());

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (running || !form.reportValidity()) return;
    running = true;
    run.disabled = true;
    results.setAttribute("aria-busy", "true");
    const seen = h("ul", { class: "checks", "data-testid": "doctor-progress" });
    results.replaceChildren(seen);
    status.textContent = `Checking ${address.el.value.trim()}…`;
    const opt = (el: HTMLInputElement) => el.value.trim() || undefined;
    try {
      const report = await api.checkConfiguration(
        {
          address: address.el.value,
          clientId: opt(clientId.el),
          clientSecret: clientSecret.el.value || undefined,
          redirectUri: opt(redirectUri.el),
          consumerKey: opt(consumerKey.el),
          consumerSecret: consumerSecret.el.value || undefined,
          live: live.checked,
        },
        (p) => {
          if (p.stage === "check") {
            seen.append(checkRow(p.check));
          } else {
            cancel.hidden = false;
            status.replaceChildren(`Sign in and approve in your browser; waiting for the answer at ${p.waitingOn}. Nothing opened? `, h("code", {}, p.url));
          }
        },
      );
      showReport(report);
    } catch (err) {
      results.replaceChildren(errorBox(asIpcError(err)));
      status.textContent = "";
    } finally {
      running = false;
      run.disabled = false;
      cancel.hidden = true;
      results.removeAttribute("aria-busy");
    }
  });

  function showReport(r: Report): void {
    const line = r.summaryLine;
    status.textContent = "";
    const groups = [...new Set(r.checks.map((c) => c.group))];
    const summary = h("p", { class: `summary ${r.summary.fail ? "bad" : r.summary.warn ? "warn" : "ok"}`, "data-testid": "doctor-summary", tabindex: "-1" }, `${r.site_url ?? r.site}: ${line}.`);
    results.replaceChildren(
      summary,
      ...groups.map((g) => h("section", { class: "card" }, h("h2", {}, g.replace(/^./, (c) => c.toUpperCase())), h("ul", { class: "checks" }, ...r.checks.filter((c) => c.group === g).map(checkRow)))),
    );
    announce(`Check finished: ${line}.`);
    // The keyboard (and the view) moves to the result.
    summary.focus();
  }

  return () => {
    if (running) void api.cancelSignIn();
  };
}

function checkRow(c: Check): HTMLElement {
  const open = c.status === "fail" || c.status === "warn";
  return h(
    "li",
    { class: `doctor-check ${c.status}`, "data-testid": `check-${c.id}`, "data-status": c.status },
    h("details", { open },
      h("summary", {}, h("span", { class: `badge status-${c.status}` }, MARK[c.status]), " ", h("span", { class: "check-title" }, c.title), h("span", { class: "check-finding" }, c.finding)),
      c.fix ? h("p", { class: "fix" }, h("strong", {}, "Fix: "), c.fix) : null,
      c.skipped_because ? h("p", { class: "muted" }, `Skipped: ${c.skipped_because}`) : null,
      h("p", { class: "muted small" }, h("strong", {}, "Why it matters: "), c.why),
      ...c.observed.map((o) => h("div", { class: "observed" }, h("code", { class: "request" }, o.request), o.response ? h("pre", {}, o.response) : null)),
      h("p", { class: "muted small" }, h("code", {}, c.id)),
    ),
  );
}
