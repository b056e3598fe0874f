import { h, type Child } from "../dom";
import type { IpcError } from "../ipc";

/** An error as a person reads it: what happened, what to do, and the way forward (buttons). */
export function errorBox(err: IpcError, ...actions: Child[]): HTMLElement {
  return h(
    "div",
    { class: "error-box", role: "alert", "data-testid": "error", "data-kind": err.kind },
    h("p", { class: "error-message", "data-testid": "error-message" }, err.message),
    err.hint ? h("p", { class: "error-hint", "data-testid": "error-hint" }, err.hint) : null,
    actions.some(Boolean) ? h("div", { class: "actions" }, ...actions) : null,
  );
}
