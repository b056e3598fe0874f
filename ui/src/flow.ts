// Adding a site and signing in, as a state machine: `reduce` is pure (every step a person can be
// at, and what each event does there); `AddSiteFlow` runs it against the app's commands.
import { asIpcError, type Api, type IpcError, type Progress, type SignedInView, type SignInRequest, type SiteView, type Way } from "./ipc";

export type FlowState =
  /** Typing the address (with the last discovery error, if any). */
  | { step: "address"; address: string; error?: IpcError }
  /** Looking the site up. `seq` tells this lookup's answer from a stale one. */
  | { step: "discovering"; address: string; seq: number }
  /** The site card; choosing a way and filling in what it needs (the last sign-in error shown). */
  | { step: "choose"; site: SiteView; way: Way | null; error?: IpcError }
  /** Signing in: waiting for the browser (`url` once it was opened) or for the site's answer. */
  | { step: "signing-in"; site: SiteView; way: Way; browser: boolean; url?: string; waitingOn?: string; timeoutSecs?: number; cancelling?: boolean }
  /** Signed in. */
  | { step: "done"; site: SiteView; result: SignedInView };

export type FlowEvent =
  | { type: "submit-address"; address: string }
  | { type: "discovered"; seq: number; site: SiteView }
  | { type: "discover-failed"; seq: number; error: IpcError }
  | { type: "pick-way"; way: Way }
  | { type: "start-sign-in" }
  | { type: "progress"; progress: Progress }
  | { type: "cancel" }
  | { type: "signed-in"; result: SignedInView }
  | { type: "sign-in-failed"; error: IpcError }
  | { type: "back" };

/** Does this way hand over to the browser (the others are a form on this page)? The app says, per way. */
export function usesBrowser(site: SiteView, way: Way): boolean {
  return site.ways.some((w) => w.way === way && w.usesBrowser);
}

export const initial: FlowState = { step: "address", address: "" };

let seqCounter = 0;

export function reduce(s: FlowState, e: FlowEvent): FlowState {
  switch (e.type) {
    case "submit-address": {
      const address = e.address.trim();
      if (s.step === "signing-in") return s; // finish or cancel first
      if (!address) return { step: "address", address, error: { kind: "invalid_address", message: "Type your site's address first.", hint: "For example example.com or https://example.com/blog." } };
      return { step: "discovering", address, seq: ++seqCounter };
    }
    case "discovered":
      if (s.step !== "discovering" || s.seq !== e.seq) return s;
      return { step: "choose", site: e.site, way: e.site.recommended ?? e.site.ways[0]?.way ?? null };
    case "discover-failed":
      if (s.step !== "discovering" || s.seq !== e.seq) return s;
      return { step: "address", address: s.address, error: e.error };
    case "pick-way":
      if (s.step !== "choose" || !s.site.ways.some((w) => w.way === e.way)) return s;
      return { step: "choose", site: s.site, way: e.way };
    case "start-sign-in":
      if (s.step !== "choose" || !s.way) return s;
      return { step: "signing-in", site: s.site, way: s.way, browser: usesBrowser(s.site, s.way) };
    case "progress":
      if (s.step !== "signing-in") return s;
      if (e.progress.stage === "browser") return { ...s, url: e.progress.url, waitingOn: e.progress.waitingOn, timeoutSecs: e.progress.timeoutSecs };
      return { ...s, browser: false };
    case "cancel":
      if (s.step !== "signing-in") return s;
      return { ...s, cancelling: true };
    case "signed-in":
      if (s.step !== "signing-in") return s;
      return { step: "done", site: s.site, result: e.result };
    case "sign-in-failed":
      if (s.step !== "signing-in") return s;
      // Back to the same way with what was typed still there (the page keeps the fields).
      return { step: "choose", site: s.site, way: s.way, error: e.error };
    case "back":
      if (s.step === "signing-in") return s;
      if (s.step === "choose" || s.step === "done") return { step: "address", address: s.site.address };
      if (s.step === "discovering") return { step: "address", address: s.address };
      return s;
  }
}

/** What a way needs from the person, read from the form when sign-in starts. */
export type Inputs = Omit<SignInRequest, "address" | "way">;

/** Runs the machine: each event through `reduce`, then the command the new state calls for. */
export class AddSiteFlow {
  state: FlowState = initial;
  private listeners: Array<(s: FlowState) => void> = [];

  constructor(private api: Api) {}

  subscribe(f: (s: FlowState) => void): () => void {
    this.listeners.push(f);
    f(this.state);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== f);
    };
  }

  private dispatch(e: FlowEvent): FlowState {
    const next = reduce(this.state, e);
    if (next !== this.state) {
      this.state = next;
      for (const l of this.listeners) l(next);
    }
    return next;
  }

  async submitAddress(address: string): Promise<void> {
    const s = this.dispatch({ type: "submit-address", address });
    if (s.step !== "discovering") return;
    try {
      const site = await this.api.discover(s.address);
      this.dispatch({ type: "discovered", seq: s.seq, site });
    } catch (e) {
      this.dispatch({ type: "discover-failed", seq: s.seq, error: asIpcError(e) });
    }
  }

  pickWay(way: Way): void {
    this.dispatch({ type: "pick-way", way });
  }

  async signIn(inputs: Inputs): Promise<void> {
    const s = this.dispatch({ type: "start-sign-in" });
    if (s.step !== "signing-in") return;
    try {
      const result = await this.api.signIn({ ...inputs, address: s.site.address, way: s.way }, (progress) => this.dispatch({ type: "progress", progress }));
      this.dispatch({ type: "signed-in", result });
    } catch (e) {
      this.dispatch({ type: "sign-in-failed", error: asIpcError(e) });
    }
  }

  async cancel(): Promise<void> {
    const s = this.dispatch({ type: "cancel" });
    if (s.step === "signing-in") await this.api.cancelSignIn();
  }

  back(): void {
    this.dispatch({ type: "back" });
  }
}
