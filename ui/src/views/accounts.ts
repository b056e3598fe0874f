import { announce, h, picture } from "../dom";
import { asIpcError, type AccountView, type Api } from "../ipc";
import { errorBox } from "./error-box";

const STANDING_LABEL: Record<AccountView["standing"], string> = {
  signed_in: "Signed in",
  expires_soon: "Expires soon",
  expired: "Token expired",
  sign_in_again: "Sign in again",
};

export function standingBadge(a: AccountView): HTMLElement {
  return h("span", { class: `badge standing-${a.standing}`, title: a.standingText, "data-testid": "standing" }, STANDING_LABEL[a.standing]);
}

export function accountHref(id: string): string {
  return `#/account/${encodeURIComponent(id)}`;
}

/**
 * Every connected account: site and user, method, standing; open, sign out, add. `known` is the
 * list the app handed over as it made the window (the first screen asks it nothing).
 */
export async function accountsView(root: HTMLElement, api: Api, known?: AccountView[]): Promise<void> {
  const list = h("div", { class: "accounts-area", "aria-busy": "true" }, h("p", { class: "muted" }, "Loading your accounts…"));
  root.replaceChildren(
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Your sites"), h("a", { class: "button primary", href: "#/add", "data-testid": "add-site" }, "Add a site")),
    list,
  );
  const reload = () => void accountsView(root, api);
  if (known) {
    // Read by the app as it made this window: nothing to ask yet.
    showAccounts(list, known, api, reload);
    return;
  }
  let accounts: AccountView[];
  try {
    accounts = await api.accounts();
  } catch (e) {
    list.replaceChildren(errorBox(asIpcError(e), h("button", { type: "button", onclick: reload }, "Try again")));
    list.removeAttribute("aria-busy");
    return;
  }
  showAccounts(list, accounts, api, reload);
}

function showAccounts(list: HTMLElement, accounts: AccountView[], api: Api, reload: () => void): void {
  list.removeAttribute("aria-busy");
  if (accounts.length === 0) {
    list.replaceChildren(
      h(
        "div",
        { class: "empty", "data-testid": "no-accounts" },
        h("p", {}, "No sites yet."),
        h("p", { class: "muted" }, "Add your WordPress site: WP Connect finds how it signs people in and walks you through it. Your passwords and tokens stay in this computer's keyring."),
      ),
    );
    return;
  }
  list.replaceChildren(h("ul", { class: "accounts", "data-testid": "accounts" }, ...accounts.map((a) => accountRow(a, api, reload))));
  performance.mark("wpconnect:accounts-shown");
}

function accountRow(a: AccountView, api: Api, reload: () => void): HTMLElement {
  const actions = h("div", { class: "actions" });
  const signOut = h("button", { type: "button", class: "quiet", "data-testid": "sign-out" }, "Sign out");
  signOut.addEventListener("click", () => {
    const confirm = h("button", { type: "button", class: "danger", "data-testid": "confirm-sign-out" }, `Sign out of ${a.siteName}`);
    const keep = h("button", { type: "button" }, "Keep");
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      confirm.textContent = "Signing out…";
      try {
        const out = await api.signOut(a.id);
        announce(out.revoked ? `Signed out of ${a.siteName}.` : `Signed out here. ${out.note ?? ""}`);
        reload();
      } catch (e) {
        actions.replaceChildren(errorBox(asIpcError(e), h("button", { type: "button", onclick: reload }, "Back")));
      }
    });
    keep.addEventListener("click", () => actions.replaceChildren(open, signOut));
    actions.replaceChildren(confirm, keep);
    confirm.focus();
  });
  const open = h("a", { class: "button", href: accountHref(a.id), "data-testid": "open-account" }, "Open");
  actions.append(open, signOut);
  return h(
    "li",
    { class: "account", "data-testid": "account", "data-account-id": a.id },
    picture(a.siteIconUrl, a.siteName, "site-icon"),
    h(
      "div",
      { class: "account-main" },
      h("a", { class: "account-site", href: accountHref(a.id), "data-testid": "account-site" }, a.siteName || a.siteUrl),
      h("div", { class: "account-url muted" }, a.siteUrl),
      h(
        "div",
        { class: "account-user" },
        picture(a.avatarUrl, a.name, "avatar small"),
        h("span", { "data-testid": "account-user" }, a.displayName && a.displayName !== a.username ? `${a.displayName} (${a.username})` : a.username),
      ),
      h("div", { class: "account-meta" }, h("span", { class: "badge method" }, a.method), standingBadge(a), a.sessionOnly ? h("span", { class: "badge" }, "This session only") : null),
    ),
    actions,
  );
}
