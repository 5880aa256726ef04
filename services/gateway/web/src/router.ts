// The routes a member can share: the history API, and the gateway serves the app for
// each of these paths.

export type Route =
  | { name: "feed"; query: URLSearchParams }
  | { name: "post"; id: string }
  | { name: "alert"; id: string }
  | { name: "member"; id: string }
  | { name: "conversation"; id: string }
  | { name: "conversations" }
  | { name: "moderation" }
  | { name: "organisation" }
  | { name: "partner" }
  | { name: "new" }
  | { name: "my_posts" }
  | { name: "notifications" }
  | { name: "settings" }
  | { name: "password_reset"; token: string | null }
  | { name: "verify_email"; token: string | null }
  | { name: "login"; next: string }
  | { name: "register"; next: string }
  | { name: "not_found" };

const POST = /^\/posts\/([0-9A-Za-z_-]{1,64})\/?$/;
const ALERT = /^\/alerts\/([0-9A-Za-z_-]{1,64})\/?$/;
const MEMBER = /^\/members\/([0-9A-Za-z_-]{1,64})\/?$/;
const CONVERSATION = /^\/conversations\/([0-9A-Za-z_-]{1,64})\/?$/;

export function parseRoute(path: string, search: string): Route {
  const query = new URLSearchParams(search);
  const next = safeNext(query.get("next"));
  const post = POST.exec(path);
  if (post) return { name: "post", id: post[1] };
  const alert = ALERT.exec(path);
  if (alert) return { name: "alert", id: alert[1] };
  const member = MEMBER.exec(path);
  if (member) return { name: "member", id: member[1] };
  const conversation = CONVERSATION.exec(path);
  if (conversation) return { name: "conversation", id: conversation[1] };
  switch (path.replace(/\/$/, "") || "/") {
    case "/":
      return { name: "feed", query };
    case "/new":
      return { name: "new" };
    case "/me/posts":
      return { name: "my_posts" };
    case "/me/notifications":
      return { name: "notifications" };
    case "/me/conversations":
      return { name: "conversations" };
    case "/moderation":
      return { name: "moderation" };
    case "/organisation":
      return { name: "organisation" };
    case "/partner":
      return { name: "partner" };
    case "/settings":
      return { name: "settings" };
    case "/password-reset":
      return { name: "password_reset", token: query.get("token") };
    case "/verify-email":
      return { name: "verify_email", token: query.get("token") };
    case "/login":
      return { name: "login", next };
    case "/register":
      return { name: "register", next };
    default:
      return { name: "not_found" };
  }
}

/** Only a path of this site: a link must not send a member elsewhere after logging in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}
