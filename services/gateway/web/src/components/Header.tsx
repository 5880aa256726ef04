import { useEffect } from "preact/hooks";

import { useApp } from "../app";
import type { Lang } from "../i18n";
import { Link } from "./Link";

// Long enough for an open conversation to have marked its new message read.
const MESSAGE_COUNT_DELAY_MS = 800;

export function Header() {
  const app = useApp();
  const { t, session, lang } = app;
  const member = session.account;
  // The unread count: the inbox at log-in, then each live notification.
  useEffect(() => {
    if (!member) return app.setUnread(0);
    void app.api.inbox(null).then((page) => app.setUnread(page.unread)).catch(() => undefined);
    app.live.subscribe("notifications");
    const off = app.listen("notifications", (event) => {
      // A message in the conversation she has open is read as it arrives: not news.
      const conversation = (event.data.title_params as Record<string, string> | undefined)?.conversation;
      if (conversation && location.pathname === `/conversations/${conversation}`) return;
      app.setUnread((n) => n + 1);
    });
    // Messages: the count from the server after each (an open conversation reads its
    // own at once, so only the others count), and whom she blocked.
    // Reading a conversation also reads its notifications: both counts from the server.
    const countMessages = () => {
      void app.api.conversations(null).then((page) => app.setUnreadMessages(page.unread)).catch(() => undefined);
      void app.api.inbox(null).then((page) => app.setUnread(page.unread)).catch(() => undefined);
    };
    countMessages();
    void app.api.blocks().then((blocked) => {
      app.blocked.clear();
      blocked.forEach((b) => app.blocked.add(b.id));
    }).catch(() => undefined);
    app.live.subscribe("conversations");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const offMessages = app.listen("conversations", () => {
      clearTimeout(timer);
      timer = setTimeout(countMessages, MESSAGE_COUNT_DELAY_MS);
    });
    return () => {
      off();
      offMessages();
      clearTimeout(timer);
      app.live.unsubscribe("notifications");
      app.live.unsubscribe("conversations");
    };
  }, [member?.id]);
  const other: Lang = lang === "fr" ? "en" : "fr";
  const status = !app.online ? "offline" : app.status;
  return (
    <header class="top">
      <Link href="/" class="brand">Entraide</Link>
      <nav aria-label={t("nav_label")}>
        <Link href="/">{t("nav_feed")}</Link>
        <Link href="/new">{t("nav_new_post")}</Link>
        {member && <Link href="/me/posts">{t("nav_my_posts")}</Link>}
        {member && (
          <Link href="/me/conversations">
            {t("nav_messages")}
            {app.unreadMessages > 0 && <><span class="badge" aria-hidden="true">{app.unreadMessages}</span>
              <span class="visually-hidden">{app.tn("unread_messages", app.unreadMessages)}</span></>}
          </Link>
        )}
        {member && (
          <Link href="/me/notifications">
            {t("nav_notifications")}
            {app.unread > 0 && <><span class="badge" aria-hidden="true">{app.unread}</span>
              <span class="visually-hidden">{app.tn("unread", app.unread)}</span></>}
          </Link>
        )}
        {member && <Link href="/settings">{t("nav_settings")}</Link>}
        {member?.role === "moderator" && <Link href="/moderation">{t("nav_moderation")}</Link>}
        {member?.role === "partner" && <Link href="/partner">{t("nav_partner")}</Link>}
      </nav>
      <div class="tools">
        <span class={`status status-${status}`} role="status" aria-live="polite">{t(`status_${status}`)}</span>
        <button type="button" class="lang" lang={other} title={t("switch_language")}
          onClick={() => app.setLang(other)}>{t(`language_name_${other}`)}</button>
        {member ? (
          <button type="button" onClick={() => void session.logOut().catch(() => undefined).then(() => app.go("/"))}>
            {t("log_out")}
          </button>
        ) : (
          <Link href={`/login?next=${encodeURIComponent(location.pathname)}`} class="button">{t("log_in")}</Link>
        )}
      </div>
    </header>
  );
}
