import { describe, expect, it } from "vitest";
import { errorText, isIpcError } from "./ipc";

describe("IPC errors", () => {
  it("recognises the shell's {kind, message, hint}", () => {
    expect(isIpcError({ kind: "timeout", message: "The site did not answer.", hint: "Try again." })).toBe(true);
  });

  it("rejects what is not one", () => {
    for (const v of [null, undefined, "boom", 42, { kind: "x", message: "y" }, new Error("z")]) {
      expect(isIpcError(v)).toBe(false);
    }
  });

  it("shows the message and the remedy together", () => {
    expect(errorText({ kind: "dns", message: "No site answers at exmple.org.", hint: "Check the spelling." })).toBe(
      "No site answers at exmple.org. Check the spelling.",
    );
  });

  it("says something plain about anything else that went wrong", () => {
    expect(errorText(new Error("IPC unavailable"))).toMatch(/^Something went wrong inside the app: IPC unavailable\. Try again; .*log/);
    expect(errorText("command app_info not allowed")).toMatch(/^Something went wrong inside the app: command app_info not allowed\. /);
  });
});
