// The words a person reads on the screens everyone uses. The technical names (method names,
// protocol terms) stay one click away, under "Details" or in the admins' "Other ways to sign in".
import type { SiteView, Way } from "./ipc";

/** How a way reads on the connect card: a title, one sentence of what happens, the button. */
export interface PlainWay {
  title: string;
  how: string;
  button: string;
}

export function plainWay(way: Way, site: SiteView): PlainWay {
  const name = site.site.name || "your site";
  switch (way) {
    case "app-password":
      return { title: `Connect to ${name}`, how: `Your browser opens ${name}; approve WP Connect there, then come back. Nothing to type here.`, button: "Continue in your browser" };
    case "wordpress-com":
      return { title: `Connect with WordPress.com`, how: "Your browser opens WordPress.com; sign in there and approve WP Connect, then come back.", button: "Continue in your browser" };
    case "oauth2":
      return { title: `Connect to ${name}`, how: `Your browser opens ${name}'s sign-in page; sign in and approve WP Connect there, then come back.`, button: "Continue in your browser" };
    case "oauth1":
      return { title: `Connect to ${name}`, how: `Your browser opens ${name}; approve WP Connect there, then come back.`, button: "Continue in your browser" };
    case "app-password-paste":
      return { title: "Paste a password made for WP Connect", how: `Make one on ${name} under Users > Profile > Application Passwords, then paste it here with your username.`, button: "Connect" };
    case "password":
      return { title: "Sign in with your username and password", how: `Your password goes to ${name} once to connect, and is never kept. Prefer connecting in your browser when you can.`, button: "Sign in" };
  }
}

/** What the app may do once connected, before the account is known. */
export function accessSentence(site: SiteView): string {
  const name = site.site.name || "the site";
  return `WP Connect can then do what your account on ${name} can do (for an author: write and publish posts, upload photos), until you sign out here or remove it from your profile there.`;
}

/** The method an account uses, as a person reads it. */
export function plainMethod(method: string): string {
  if (method.startsWith("Application Passwords")) return "Approved in WordPress";
  if (method.startsWith("WordPress.com")) return "WordPress.com account";
  return "Approved in your browser";
}

/** Where the sign-in is kept. */
export const KEPT = "Saved in your system's password manager; your password itself is never kept.";
export const KEPT_SESSION = "Kept only while WP Connect is open.";

