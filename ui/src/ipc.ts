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

export const appInfo = (): Promise<AppInfo> => invoke<AppInfo>("app_info");
