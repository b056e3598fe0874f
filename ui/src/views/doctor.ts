import { announce, append, h } from "../dom";
import { asIpcError, type Api, type Check, type CheckStatus, type Report } from "../ipc";
import { errorBox } from "./error-box";

const MARK: Record<CheckStatus, string> = { pass: "Pass", warn: "Warning", fail: "Problem", skipped: "Not checked" };

/** The checks' groups, as headings an admin reads. */
const GROUP: Record<string, string> = {
  transport: "Connection",
  rest: "WordPress API",
  auth: "Sign-in headers",
  methods: "Ways to sign in",
  oauth2: "OAuth 2 server",
  live: "Live sign-in test",
  oauth1: "OAuth 1.0a server",
};

/** The screen's link, with the address filled in (from sign-in errors, from Your sites). */
export function doctorHref(address: string): string {
  return `#/doctor?address=${encodeURIComponent(address)}`;
}

/** What was typed, kept while the person looks at another tab (secrets are not kept). */
const typed: Record<string, string> = {};
let lastLive = false;
/** The last report, shown again on coming back to the screen. */
let lastReport: Report | undefined;

/** "Check configuration": the doctor's report for site admins, problems first, with the fixes. */
export function doctorView(root: HTMLElement, api: Api, startAddress = ""): () => void {
  const input = (id: string, label: string, help: string, extra: Record<string, string | boolean> = {}) => {
    const secret = extra.type === "password";
    const el = h("input", { id, name: id, spellcheck: "false", autocomplete: "off", "data-testid": `doctor-${id}`, "aria-describedby": `${id}-help`, value: secret ? "" : (typed[id] ?? ""), ...extra });
    if (!secret) el.addEventListener("input", () => (typed[id] = el.value));
    return { el, field: h("div", { class: "field" }, h("label", { for: id }, label, extra.required ? null : h("span", { class: "muted" }, " (optional)")), el, h("p", { id: `${id}-help`, class: "muted small" }, help)) };
  };
  const address = input("doctor-address", "Site address", "The site to check, as people type it.", { required: true, inputmode: "url", list: "known-sites" });
  const known = h("datalist", { id: "known-sites" });
  if (startAddress) address.el.value = typed["doctor-address"] = startAddress;
  // The address of a site already added, when nothing was typed: the likely one to check.
  api.accounts().then(
    (accounts) => {
      known.replaceChildren(...[...new Set(accounts.map((a) => a.siteUrl))].map((u) => h("option", { value: u })));
      if (!address.el.value && accounts[0]) address.el.value = typed["doctor-address"] = accounts[0].siteUrl;
    },
    () => undefined,
  );
  const clientId = input("client-id", "OAuth2 client ID", "Checks the client: it exists, its redirect URI, how strictly it is matched, its grants.");
  const clientSecret = input("client-secret", "Client secret", "For confidential clients. Used for the probes only; never shown or kept.", { type: "password" });
  const redirectUri = input("redirect-uri", "Redirect URI", "The one people sign in with; WP Connect's is http://127.0.0.1:PORT/callback.");
  const consumerKey = input("consumer-key", "OAuth 1.0a consumer key", "Checks the consumer key, its callback and the server's clock.");
  const consumerSecret = input("consumer-secret", "Consumer secret", "Only for the live OAuth 1.0a sign-in.", { type: "password" });
  const live = h("input", { type: "checkbox", id: "doctor-live", "data-testid": "doctor-live", checked: lastLive });
  live.addEventListener("change", () => (lastLive = live.checked));
  const run = h("button", { type: "submit", class: "primary", "data-testid": "run-doctor" }, "Check");
  const cancel = h("button", { type: "button", class: "danger", hidden: true }, "Cancel");
  const status = h("p", { class: "muted", "aria-live": "polite", "data-testid": "doctor-status" });
  const results = h("section", { class: "doctor-results", "aria-label": "Report" });
  const form = h(
    "form",
    { class: "card", "data-testid": "doctor-form" },
    h("p", { class: "muted" }, "For site admins: whether the site and its sign-in set-up let people connect, and what to change when not. Only reads, unless you choose the live sign-in."),
    address.field,
    known,
    h(
      "details",
      { class: "details", open: Boolean(typed["client-id"] || typed["consumer-key"] || typed["redirect-uri"]) },
      h("summary", {}, "Check an OAuth client too"),
      clientId.field,
      clientSecret.field,
      redirectUri.field,
      consumerKey.field,
      consumerSecret.field,
      h("div", { class: "check" }, live, h("label", { for: "doctor-live" }, "Live: sign in once in my browser to test PKCE, state, token lifetimes, refresh and revocation (the tokens are revoked at the end and never kept)")),
    ),
    h("div", { class: "actions" }, run, cancel),
    status,
  );
  root.replaceChildren(h("h1", { tabindex: "-1" }, "Check configuration"), form, results);
  let running = false;
  if (lastReport) showReport(lastReport, true);
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

  function showReport(r: Report, again = false): void {
    lastReport = r;
    status.textContent = "";
    const problems = r.checks.filter((c) => c.status === "fail" || c.status === "warn").sort((a, b) => (a.status === b.status ? 0 : a.status === "fail" ? -1 : 1));
    const passed = r.checks.filter((c) => c.status === "pass");
    const skipped = r.checks.filter((c) => c.status === "skipped");
    const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const line = [
      r.summary.fail ? count(r.summary.fail, "problem to fix", "problems to fix") : null,
      r.summary.warn ? count(r.summary.warn, "warning to look at", "warnings to look at") : null,
      !r.summary.fail && !r.summary.warn ? "No problems found" : null,
      `${passed.length} passed`,
      `${skipped.length} not checked`,
    ]
      .filter(Boolean)
      .join(" · ");
    const summary = h("p", { class: `summary ${r.summary.fail ? "bad" : r.summary.warn ? "warn" : "ok"}`, "data-testid": "doctor-summary", tabindex: "-1" }, `${r.site_url ?? r.site}: ${line}.`);
    results.replaceChildren();
    append(results, [
      summary,
      problems.length ? h("section", { class: "card", "aria-labelledby": "problems-h", "data-testid": "problems" }, h("h2", { id: "problems-h" }, "To fix"), h("ul", { class: "checks" }, ...problems.map(checkRow))) : null,
      folded("passed", `${passed.length} passed`, passed),
      folded("skipped", `${skipped.length} not checked (not asked for, or not possible here)`, skipped),
    ]);
    if (again) return;
    announce(`Check finished: ${line}.`);
    // The keyboard (and the view) moves to the result.
    summary.focus();
  }

  return () => {
    if (running) void api.cancelSignIn();
  };
}

/** One line that opens to the checks, under their groups' headings. */
function folded(testid: string, title: string, checks: Check[]): HTMLElement | null {
  if (!checks.length) return null;
  const groups = [...new Set(checks.map((c) => c.group))];
  return h(
    "details",
    { class: "card folded", "data-testid": testid },
    h("summary", {}, title),
    ...groups.map((g) => h("section", {}, h("h3", {}, GROUP[g] ?? g), h("ul", { class: "checks" }, ...checks.filter((c) => c.group === g).map(checkRow)))),
  );
}

function checkRow(c: Check): HTMLElement {
  const open = c.status === "fail" || c.status === "warn";
  const mark = c.not_needed ? `Not needed (${c.not_needed})` : MARK[c.status];
  return h(
    "li",
    { class: `doctor-check ${c.status}`, "data-testid": `check-${c.id}`, "data-status": c.status },
    h("details", { open },
      h("summary", {}, h("span", { class: `badge status-${c.not_needed ? "skipped" : c.status}` }, mark), " ", h("span", { class: "check-title" }, c.title), open ? h("span", { class: "muted small" }, ` · ${GROUP[c.group] ?? c.group}`) : null, h("span", { class: "check-finding" }, c.finding)),
      c.fix ? h("p", { class: "fix" }, h("strong", {}, "Fix: "), c.fix) : null,
      c.skipped_because ? h("p", { class: "muted" }, `Not checked: ${c.skipped_because}`) : null,
      h("p", { class: "muted small" }, h("strong", {}, "Why it matters: "), c.why),
      c.observed.length ? h("details", { class: "details" }, h("summary", {}, "What was sent and what came back"), ...c.observed.map((o) => h("div", { class: "observed" }, h("code", { class: "request" }, o.request), o.response ? h("pre", {}, o.response) : null))) : null,
    ),
  );
}
