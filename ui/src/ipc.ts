// The only door between the page and the app: typed Tauri commands. No tokens ever come through.
import { invoke } from "@tauri-apps/api/core";

/** Every command's error: the core's kind, a plain message and what to do about it. */
export interface IpcError {
  kind: string;
  message: string;
  hint: string;
}

export interface AppInfo {
  name: string;
  version: string;
  coreVersion: string;
}

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e && "hint" in e;
}

/** What a person reads when a command fails: the message, then what to do. */
export function errorText(e: unknown): string {
  if (isIpcError(e)) return e.hint ? `${e.message} ${e.hint}` : e.message;
  const detail = e instanceof Error ? e.message : String(e);
  return `Something went wrong inside the app: ${detail}`;
}

export const appInfo = (): Promise<AppInfo> => invoke<AppInfo>("app_info");
