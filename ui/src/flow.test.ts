import { describe, expect, it, vi } from "vitest";
import { AddSiteFlow, reduce, initial, type FlowState } from "./flow";
import type { Api, IpcError, Progress, SignedInView, SiteView } from "./ipc";

const site = (over: Partial<SiteView> = {}): SiteView => ({
  address: "example.test",
  site: { name: "Example", description: "Just a test", url: "https://example.test", home: "https://example.test", https: true, timezone: "UTC", namespaces: ["wp/v2"], iconUrl: null },
  apiRoot: "https://example.test/wp-json/",
  permalinks: "pretty",
  ways: [
    { way: "oauth2", label: "OAuth2", about: "", fallback: false, usesBrowser: true },
    { way: "app-password", label: "Application Passwords", about: "", fallback: false, usesBrowser: true },
    { way: "password", label: "Username and password (fallback)", about: "", fallback: true, usesBrowser: false },
  ],
  recommended: "oauth2",
  reason: "OAuth2 with PKCE: …",
  notes: [],
  local: false,
  wordpressCom: false,
  appPasswordViaLink: false,
  ...over,
});

const signedIn: SignedInView = {
  account: { id: "ada@example.test", siteName: "Example", siteUrl: "https://example.test/", siteIconUrl: null, username: "ada", displayName: "Ada", name: "Ada", avatarUrl: null, method: "OAuth2", way: "oauth2", standing: "signed_in", standingText: "signed in", sessionOnly: false },
  storedIn: "the Secret Service",
  notes: [],
};

const err = (kind: string): IpcError => ({ kind, message: `message for ${kind}`, hint: `hint for ${kind}` });

/** A controllable promise: the test decides when the "app" answers. */
function later<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function mockApi(over: Partial<Api> = {}): Api {
  const fail = () => Promise.reject(new Error("not expected in this test"));
  return {
    appInfo: fail, discover: fail, accounts: fail, accountDetails: fail, signIn: fail, cancelSignIn: vi.fn(() => Promise.resolve(true)),
    refresh: fail, signOut: fail, openSite: fail, getSettings: fail, saveSettings: fail, revealLogs: fail, checkConfiguration: fail, ...over,
  } as Api;
}

describe("adding a site", () => {
  it("finds the site and pre-selects the recommended way", async () => {
    const discover = vi.fn(() => Promise.resolve(site()));
    const flow = new AddSiteFlow(mockApi({ discover }));
    await flow.submitAddress("  example.test ");
    expect(discover).toHaveBeenCalledWith("example.test");
    expect(flow.state).toMatchObject({ step: "choose", way: "oauth2" });
  });

  it("falls back to the first way when nothing is recommended, and to none when nothing is offered", () => {
    const s = reduce({ step: "discovering", address: "x", seq: 7 }, { type: "discovered", seq: 7, site: site({ recommended: null }) });
    expect(s).toMatchObject({ step: "choose", way: "oauth2" });
    const none = reduce({ step: "discovering", address: "x", seq: 8 }, { type: "discovered", seq: 8, site: site({ recommended: null, ways: [] }) });
    expect(none).toMatchObject({ step: "choose", way: null });
    expect(reduce(none, { type: "start-sign-in" })).toBe(none);
  });

  it("shows a discovery failure with its hint and keeps the address", async () => {
    const flow = new AddSiteFlow(mockApi({ discover: () => Promise.reject(err("not_wordpress")) }));
    await flow.submitAddress("example.test");
    expect(flow.state).toEqual({ step: "address", address: "example.test", error: err("not_wordpress") });
  });

  it("an empty address is refused without asking the app", async () => {
    const discover = vi.fn();
    const flow = new AddSiteFlow(mockApi({ discover }));
    await flow.submitAddress("   ");
    expect(discover).not.toHaveBeenCalled();
    expect(flow.state).toMatchObject({ step: "address", error: { kind: "invalid_address" } });
  });

  it("ignores the answer to a lookup the person has since replaced", async () => {
    const first = later<SiteView>();
    const second = later<SiteView>();
    const answers = [first, second];
    const flow = new AddSiteFlow(mockApi({ discover: () => answers.shift()!.promise }));
    const a = flow.submitAddress("old.test");
    const b = flow.submitAddress("new.test");
    second.resolve(site({ address: "new.test" }));
    await b;
    first.resolve(site({ address: "old.test" }));
    await a;
    expect(flow.state).toMatchObject({ step: "choose", site: { address: "new.test" } });
  });

  it("a page error that is not the app's still reads as an error with a hint", async () => {
    const flow = new AddSiteFlow(mockApi({ discover: () => Promise.reject(new TypeError("boom")) }));
    await flow.submitAddress("example.test");
    const s = flow.state as Extract<FlowState, { step: "address" }>;
    expect(s.error?.kind).toBe("internal");
    expect(s.error?.message).toContain("boom");
    expect(s.error?.hint).not.toBe("");
  });
});

describe("signing in", () => {
  async function chosen(api: Partial<Api>) {
    const flow = new AddSiteFlow(mockApi({ discover: () => Promise.resolve(site()), ...api }));
    await flow.submitAddress("example.test");
    return flow;
  }

  it("sends the address, the way and what was typed; shows the browser address, then the account", async () => {
    const answer = later<SignedInView>();
    let progress: ((p: Progress) => void) | undefined;
    const signIn = vi.fn((_r, onProgress: (p: Progress) => void) => ((progress = onProgress), answer.promise));
    const flow = await chosen({ signIn });
    const seen: string[] = [];
    flow.subscribe((s) => seen.push(s.step));
    const done = flow.signIn({ clientId: "abc", redirectPort: 8642 });
    expect(signIn.mock.calls[0][0]).toEqual({ address: "example.test", way: "oauth2", clientId: "abc", redirectPort: 8642 });
    expect(flow.state).toMatchObject({ step: "signing-in", browser: true });
    progress!({ stage: "browser", url: "https://example.test/oauth/authorize?x", waitingOn: "http://127.0.0.1:8642/callback", timeoutSecs: 300 });
    expect(flow.state).toMatchObject({ step: "signing-in", url: "https://example.test/oauth/authorize?x", timeoutSecs: 300 });
    answer.resolve(signedIn);
    await done;
    expect(flow.state).toMatchObject({ step: "done", result: signedIn });
    expect(seen).toEqual(["choose", "signing-in", "signing-in", "done"]);
  });

  it("a failed sign-in returns to the same way with the error, ready to retry or switch", async () => {
    const flow = await chosen({ signIn: () => Promise.reject(err("access_denied")) });
    flow.pickWay("password");
    await flow.signIn({ username: "ada", password: "wrong" });
    expect(flow.state).toMatchObject({ step: "choose", way: "password", error: err("access_denied") });
    flow.pickWay("app-password");
    expect(flow.state).toMatchObject({ step: "choose", way: "app-password" });
    expect((flow.state as { error?: IpcError }).error).toBeUndefined();
  });

  it("the password form is not a browser wait", async () => {
    const answer = later<SignedInView>();
    const flow = await chosen({ signIn: () => answer.promise });
    flow.pickWay("password");
    const done = flow.signIn({ username: "ada", password: "pw" });
    expect(flow.state).toMatchObject({ step: "signing-in", browser: false });
    answer.resolve(signedIn);
    await done;
  });

  it("cancel asks the app to stop, and the cancelled sign-in reads as such", async () => {
    const answer = later<SignedInView>();
    const cancelSignIn = vi.fn(() => {
      answer.reject(err("cancelled"));
      return Promise.resolve(true);
    });
    const flow = await chosen({ signIn: () => answer.promise, cancelSignIn });
    const done = flow.signIn({ clientId: "abc" });
    await flow.cancel();
    await done;
    expect(cancelSignIn).toHaveBeenCalledOnce();
    expect(flow.state).toMatchObject({ step: "choose", way: "oauth2", error: { kind: "cancelled" } });
  });

  it("a way the site does not offer cannot be picked; a new address cannot interrupt a sign-in", async () => {
    const answer = later<SignedInView>();
    const flow = await chosen({ signIn: () => answer.promise });
    flow.pickWay("oauth1");
    expect(flow.state).toMatchObject({ way: "oauth2" });
    const pending = flow.signIn({ clientId: "abc" });
    const before = flow.state;
    await flow.submitAddress("other.test");
    flow.back();
    expect(flow.state).toBe(before);
    answer.resolve(signedIn);
    await pending;
    expect(flow.state.step).toBe("done");
    flow.back();
    expect(flow.state).toEqual({ step: "address", address: "example.test" });
  });

  it("events that do not belong to the current step change nothing", () => {
    for (const e of [{ type: "signed-in", result: signedIn }, { type: "progress", progress: { stage: "finishing" } }, { type: "cancel" }, { type: "start-sign-in" }] as const) {
      expect(reduce(initial, e)).toBe(initial);
    }
  });
});

describe("adding a site outlives the screen", () => {
  it("keeps what was typed for the same site and starts empty for another", async () => {
    const { AddSite } = await import("./views/add-site");
    const answers = [site(), site(), site({ address: "other.test" })];
    const kept = new AddSite(mockApi({ discover: () => Promise.resolve(answers.shift()!) }));
    await kept.flow.submitAddress("example.test");
    kept.draft.username = "ada";
    kept.draft.sessionOnly = true;
    await kept.flow.submitAddress("example.test");
    expect(kept.draft.username).toBe("ada");
    await kept.flow.submitAddress("other.test");
    expect(kept.draft.username).toBe("");
    expect(kept.draft.sessionOnly).toBe(true);
  });
});

describe("after signing in", () => {
  it("the next sign-in starts afresh", async () => {
    const { AddSite } = await import("./views/add-site");
    const kept = new AddSite(mockApi({ discover: () => Promise.resolve(site()), signIn: () => Promise.resolve(signedIn) }));
    await kept.flow.submitAddress("example.test");
    kept.draft.clientId = "desk-app";
    kept.draft.sessionOnly = true;
    await kept.flow.signIn({});
    expect(kept.flow.state.step).toBe("done");
    expect(kept.draft.clientId).toBe("");
    expect(kept.draft.sessionOnly).toBe(false);
  });
});
