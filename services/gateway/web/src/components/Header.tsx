import { useEffect } from "preact/hooks";

import { useApp } from "../app";
import type { Lang } from "../i18n";
import { Link } from "./Link";

export function Header() {
  const app = useApp();
  const { t, session, lang } = app;
  const member = session.account;
  // The unread count: the inbox at log-in, then each live notification.
  useEffect(() => {
    if (!member) return app.setUnread(0);
    void app.api.inbox(null).then((page) => app.setUnread(page.unread)).catch(() => undefined);
    app.live.subscribe("notifications");
    const off = app.listen("notifications", () => app.setUnread((n) => n + 1));
    return () => {
      off();
      app.live.unsubscribe("notifications");
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
          <Link href="/me/notifications">
            {t("nav_notifications")}
            {app.unread > 0 && <><span class="badge" aria-hidden="true">{app.unread}</span>
              <span class="visually-hidden">{app.tn("unread", app.unread)}</span></>}
          </Link>
        )}
        {member && <Link href="/settings">{t("nav_settings")}</Link>}
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
