import { announce, h } from "../dom";
import { asIpcError, type Api, type SettingsView } from "../ipc";
import { setTheme, theme, type Theme } from "../prefs";
import { errorBox } from "./error-box";

/** Fixed redirect ports, the WordPress.com client, sign-in timeout, log level, logs. */
export async function settingsView(root: HTMLElement, api: Api): Promise<void> {
  root.replaceChildren(h("h1", { tabindex: "-1" }, "Settings"));
  let s: SettingsView;
  try {
    s = await api.getSettings();
  } catch (e) {
    root.append(errorBox(asIpcError(e)));
    return;
  }
  const input = (id: string, value: string, extra: Record<string, string | number | boolean> = {}) => h("input", { id, name: id, value, spellcheck: "false", autocomplete: "off", "data-testid": id, ...extra });
  const ports = input("redirect-ports", s.redirectPorts.join(", "), { inputmode: "numeric", "aria-describedby": "redirect-ports-help" });
  const wpcomId = input("wpcom-client-id", s.wpcomClientId ?? "");
  const wpcomPort = input("wpcom-redirect-port", s.wpcomRedirectPort ? String(s.wpcomRedirectPort) : "", { type: "number", min: 1024, max: 65535 });
  const timeout = input("sign-in-timeout", String(s.signInTimeoutSecs), { type: "number", min: 30, max: 3600 });
  const level = h("select", { id: "log-level", name: "log-level", "data-testid": "log-level" }, ...["error", "warn", "info", "debug", "trace"].map((l) => h("option", { value: l, selected: l === s.logLevel }, l)));
  const result = h("div", { class: "form-result", "aria-live": "polite" });
  const field = (id: string, label: string, el: HTMLElement, help?: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label), el, help ? h("p", { id: `${id}-help`, class: "muted small" }, help) : null);
  const form = h(
    "form",
    { class: "card settings", "data-testid": "settings-form" },
    h("h2", {}, "Sign-in"),
    field("sign-in-timeout", "How long to wait for your browser (seconds)", timeout),
    h("h2", {}, "Logs"),
    field("log-level", "How much the log says", level, "The log never holds a password."),
    h("p", { class: "muted small" }, "Logs are kept in ", h("code", { "data-testid": "log-dir" }, s.logDir), "."),
    // What only matters to whoever set up the site's sign-in: folded away.
    h(
      "details",
      { class: "details", "data-testid": "settings-admin", open: Boolean(s.redirectPorts.length || s.wpcomClientId) },
      h("summary", {}, "For site admins and developers"),
      field("redirect-ports", "Fixed redirect ports", ports, "For OAuth2 clients registered with http://127.0.0.1:PORT/callback: the ports, separated by commas. Empty: any free port (only when the site accepts any loopback port)."),
      h("h3", {}, "WordPress.com application"),
      field("wpcom-client-id", "Client ID", wpcomId, "Your application at developer.wordpress.com/apps. Its secret is asked for when you sign in."),
      field("wpcom-redirect-port", "Redirect port", wpcomPort),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "save-settings" }, "Save"), h("button", { type: "button", "data-testid": "reveal-logs", onclick: () => void reveal() }, "Show logs")),
    result,
  );
  root.append(appearance(), form, reportCard(api));

  async function reveal(): Promise<void> {
    try {
      const dir = await api.revealLogs();
      announce(`Opened ${dir}.`);
    } catch (e) {
      result.replaceChildren(errorBox(asIpcError(e)));
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const list = ports.value.split(/[\s,]+/).filter(Boolean);
    const bad = list.find((p) => !/^\d+$/.test(p) || Number(p) > 65535);
    if (bad) {
      result.replaceChildren(errorBox({ kind: "invalid_setting", message: `"${bad}" is not a port number.`, hint: "Ports are whole numbers from 1024 to 65535, separated by commas." }));
      ports.focus();
      return;
    }
    try {
      s = await api.saveSettings({
        redirectPorts: list.map(Number),
        wpcomClientId: wpcomId.value.trim() || null,
        wpcomRedirectPort: wpcomPort.value ? Number(wpcomPort.value) : null,
        logLevel: level.value as SettingsView["logLevel"],
        signInTimeoutSecs: Number(timeout.value),
        logDir: s.logDir,
      });
      result.replaceChildren(h("p", { class: "saved", "data-testid": "saved" }, "Saved."));
      announce("Settings saved.");
    } catch (err) {
      result.replaceChildren(errorBox(asIpcError(err)));
    }
  });
}

/** The theme: the system's, or light or dark; applied at once (kept by this window). */
function appearance(): HTMLElement {
  const now = theme();
  const choices: Array<[Theme, string]> = [["system", "Same as the system"], ["light", "Light"], ["dark", "Dark"]];
  const fs = h("fieldset", { class: "ways appearance" }, h("legend", {}, "Appearance"));
  for (const [value, label] of choices) {
    const id = `theme-${value}`;
    const radio = h("input", { type: "radio", name: "theme", id, value, checked: value === now, "data-testid": id });
    radio.addEventListener("change", () => {
      setTheme(value);
      announce(`${label} theme.`);
    });
    fs.append(h("div", { class: "check" }, radio, h("label", { for: id }, label)));
  }
  return h("div", { class: "card" }, fs, h("p", { class: "muted small" }, "Zoom with Ctrl and + or −, back to normal with Ctrl and 0."));
}

/** "Copy diagnostic report": shown in full first (what is sent is what the person sees). */
function reportCard(api: Api): HTMLElement {
  const text = h("textarea", { readonly: true, rows: 12, class: "report-text", "aria-label": "Diagnostic report", "data-testid": "report", hidden: true });
  const result = h("div", { "aria-live": "polite" });
  const copy = h("button", { type: "button", "data-testid": "copy-report" }, "Copy diagnostic report");
  copy.addEventListener("click", async () => {
    copy.disabled = true;
    copy.textContent = "Making the report…";
    try {
      text.value = await api.diagnosticReport();
      text.hidden = false;
      try {
        await navigator.clipboard.writeText(text.value);
        result.replaceChildren(h("p", { class: "saved", "data-testid": "report-copied" }, "Copied. Paste it to whoever helps you."));
      } catch {
        text.select();
        result.replaceChildren(h("p", { "data-testid": "report-copied" }, "Select the report below and copy it."));
      }
    } catch (e) {
      result.replaceChildren(errorBox(asIpcError(e)));
    } finally {
      copy.disabled = false;
      copy.textContent = "Copy diagnostic report";
    }
  });
  return h(
    "div",
    { class: "card" },
    h("h2", {}, "Getting help"),
    h("p", { class: "muted small" }, "A report of WP Connect's versions, this computer, your sites and their checks, and the log's last lines, to paste to whoever helps you. It holds no password."),
    h("div", { class: "actions" }, copy),
    result,
    text,
  );
}
