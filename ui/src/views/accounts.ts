import { announce, h, picture } from "../dom";
import { asIpcError, type AccountView, type Api, type SignedOutView } from "../ipc";
import { plainMethod } from "../words";
import { errorBox } from "./error-box";

const STANDING_LABEL: Record<AccountView["standing"], string> = {
  signed_in: "Signed in",
  expires_soon: "Renews soon",
  expired: "Needs renewing",
  sign_in_again: "Sign in again",
};

/**
 * Sign-out, asked first wherever it is offered: `actions` shows "Sign out of SITE" and "Keep";
 * Keep puts `restore` back, confirming signs out and calls `done` with what the site said.
 */
export function confirmSignOut(actions: HTMLElement, a: AccountView, api: Api, restore: Node[], done: (out: SignedOutView) => void): void {
  const confirm = h("button", { type: "button", class: "danger", "data-testid": "confirm-sign-out" }, `Sign out of ${a.siteName}`);
  const keep = h("button", { type: "button", class: "quiet", "data-testid": "keep-signed-in" }, "Keep");
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    keep.disabled = true;
    confirm.textContent = "Signing out…";
    try {
      done(await api.signOut(a.id));
    } catch (e) {
      actions.replaceChildren(errorBox(asIpcError(e), h("button", { type: "button", class: "quiet", onclick: () => actions.replaceChildren(...restore) }, "Back")));
    }
  });
  keep.addEventListener("click", () => {
    actions.replaceChildren(...restore);
    (restore.find((n) => n instanceof HTMLElement && n.dataset.testid === "sign-out") as HTMLElement | undefined)?.focus();
  });
  actions.replaceChildren(h("span", { class: "confirm-text" }, "Sign out? WP Connect's access to the site is removed."), confirm, keep);
  announce(`Sign out of ${a.siteName}? Confirm or keep.`);
  confirm.focus();
}

/** What a person reads after signing out. */
export function signedOutText(a: AccountView, out: SignedOutView): string {
  return out.revoked ? `Signed out of ${a.siteName}; the site no longer accepts WP Connect's access.` : `Signed out here. ${out.note ?? ""}`;
}

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
        h("p", { class: "muted" }, "Add your WordPress site: WP Connect finds how it signs people in and walks you through it. Your sign-in is saved in your system's password manager."),
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
  signOut.addEventListener("click", () =>
    confirmSignOut(actions, a, api, [open, signOut], (out) => {
      announce(signedOutText(a, out));
      reload();
    }),
  );
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
      h("div", { class: "account-meta" }, h("span", { class: "badge method", title: a.method }, plainMethod(a.method)), standingBadge(a), a.sessionOnly ? h("span", { class: "badge" }, "This session only") : null),
    ),
    actions,
  );
}
