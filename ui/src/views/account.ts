import { announce, facts, h, picture, when } from "../dom";
import { asIpcError, type AccountDetails, type AccountView, type Api } from "../ipc";
import { KEPT, KEPT_SESSION, plainMethod } from "../words";
import { confirmSignOut, signedOutText, standingBadge } from "./accounts";
import { errorBox } from "./error-box";
import { uploadCard } from "./upload";

/** One account: profile, site, session; refresh, open the site, sign out. */
export async function accountView(root: HTMLElement, api: Api, id: string): Promise<void> {
  let stored: AccountView | undefined;
  try {
    stored = (await api.accounts()).find((a) => a.id === id);
  } catch (e) {
    root.replaceChildren(h("h1", { tabindex: "-1" }, "Account"), errorBox(asIpcError(e)));
    return;
  }
  if (!stored) {
    root.replaceChildren(
      h("h1", { tabindex: "-1" }, "Account"),
      errorBox({ kind: "no_such_account", message: "This account is not connected (any more).", hint: "It may have been signed out. See your sites." }, h("a", { class: "button", href: "#/" }, "Your sites")),
    );
    return;
  }
  const a = stored;
  const status = h("div", { class: "account-status" });
  const body = h("div", { class: "account-body", "aria-busy": "true" }, h("div", { class: "card skeleton" }, h("p", {}, `Reading your profile from ${a.siteName}…`), h("div", { class: "bar-skeleton" }), h("div", { class: "bar-skeleton short" })));
  const refresh = h("button", { type: "button", class: "quiet", "data-testid": "refresh" }, "Renew sign-in");
  const open = h("button", { type: "button", "data-testid": "open-site" }, "Open the site");
  const signOut = h("button", { type: "button", class: "danger", "data-testid": "sign-out" }, "Sign out");
  const actions = h("div", { class: "actions" }, refresh, open, signOut);
  root.replaceChildren(
    h(
      "div",
      { class: "page-head" },
      h("div", { class: "site-head" }, picture(a.siteIconUrl, a.siteName, "site-icon"), h("div", {}, h("h1", { tabindex: "-1", "data-testid": "account-title" }, a.siteName), h("p", { class: "muted" }, a.siteUrl))),
      standingBadge(a),
    ),
    actions,
    status,
    body,
  );

  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    try {
      const now = await api.refresh(id);
      announce(`Sign-in refreshed. ${now.standingText}`);
      await accountView(root, api, id);
    } catch (e) {
      status.replaceChildren(errorBox(asIpcError(e), signInAgain(a)));
      refresh.disabled = false;
    }
  });
  open.addEventListener("click", async () => {
    try {
      await api.openSite(id);
    } catch (e) {
      status.replaceChildren(errorBox(asIpcError(e)));
    }
  });
  signOut.addEventListener("click", () =>
    confirmSignOut(actions, a, api, [refresh, open, signOut], (out) => {
      sessionStorage.setItem("wpconnect.flash", signedOutText(a, out));
      location.hash = "#/";
    }),
  );

  let d: AccountDetails;
  try {
    d = await api.accountDetails(id);
  } catch (e) {
    const err = asIpcError(e);
    body.removeAttribute("aria-busy");
    body.replaceChildren(errorBox(err, h("button", { type: "button", onclick: () => void accountView(root, api, id) }, "Try again"), signInAgain(a)));
    announce(`${err.message} ${err.hint}`);
    return;
  }
  body.removeAttribute("aria-busy");
  const p = d.profile;
  const profile = h(
    "section",
    { class: "card", "aria-labelledby": "profile-h", "data-testid": "profile" },
    h("div", { class: "site-head" }, picture(p.avatarUrl, p.name, "avatar"), h("div", {}, h("h2", { id: "profile-h", "data-testid": "profile-name" }, p.name), h("p", { class: "muted", "data-testid": "profile-username" }, `@${p.username}`))),
    facts(
      [
        ["Email", p.email],
        ["Role", p.roles.map((r) => r.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase())).join(", ")],
        ["Registered", p.registered ? new Date(p.registered).toLocaleDateString() : null],
      ],
      "profile-facts",
    ),
    h("p", { "data-testid": "can" }, p.can.length ? `WP Connect can ${sentence(p.can)} for you here.` : "WP Connect can do what this account can do on the site."),
  );
  const s = d.site;
  const site = h(
    "section",
    { class: "card", "aria-labelledby": "site-h", "data-testid": "site" },
    h("h2", { id: "site-h" }, "Site"),
    s
      ? facts(
          [
            ["Name", s.name],
            ["Tagline", s.description],
            ["Address", s.url],
            ["Home", s.home !== s.url ? s.home : null],
            ["Connection", s.https ? "secure (https)" : "http"],
            ["Time zone", s.timezone],
          ],
          "site-facts",
        )
      : h("p", { class: "muted" }, "The site's description could not be read just now."),
  );
  const se = d.session;
  const session = h(
    "section",
    { class: "card", "aria-labelledby": "session-h", "data-testid": "session" },
    h("h2", { id: "session-h" }, "Sign-in"),
    facts(
      [
        ["How", plainMethod(se.method)],
        ["Status", d.account.standingText],
        ["Signed in", when(se.createdAt)],
        ["Kept", a.sessionOnly ? KEPT_SESSION : KEPT],
      ],
      "session-plain",
    ),
    h(
      "details",
      { class: "details", "data-testid": "account-details" },
      h("summary", {}, "Details"),
      facts(
        [
          ["Method", se.method],
          ["Scopes", se.scope],
          ["Expires", se.expiresAt ? when(se.expiresAt) : "does not expire"],
          ["Last refresh", se.lastRefresh ? when(se.lastRefresh) : null],
          ["Client ID", se.clientId],
          ["Kept in", se.storedIn],
          ["User ID", p.userId],
          ["Capabilities", p.capabilityCount ? `${p.capabilities} (${p.capabilityCount} in all)` : null],
          ["Sign-in methods", d.offered.join(", ") || "none advertised"],
          ["REST namespaces", s ? h("span", { class: "namespaces" }, s.namespaces.join(", ")) : null],
        ],
        "session-facts",
      ),
    ),
  );
  body.replaceChildren(profile, uploadCard(api, a), site, session);
  announce(`Signed in to ${a.siteName} as ${p.who}.`);
}

function signInAgain(a: AccountView): HTMLElement {
  return h("a", { class: "button", href: `#/add?address=${encodeURIComponent(a.siteUrl)}`, "data-testid": "sign-in-again" }, "Sign in again");
}

/** "a, b and c". */
function sentence(parts: string[]): string {
  return parts.length < 2 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}
