import { useEffect, useState } from "preact/hooks";

import type { Notification } from "../api/resources";
import { useApp } from "../app";
import { Link } from "../components/Link";
import { Empty, Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import { type Key, hasKey } from "../i18n";
import type { LiveEvent } from "../live/socket";
import type { Problem as ProblemOf } from "../validation";

/** The inbox: times, read state per item and "mark all", live. Titles come as a code
 * and its parameters, rendered in the reader's language. */
export function Notifications() {
  const app = useApp();
  const { t } = app;
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/me/notifications", true);
    app.api.inbox(null).then((page) => {
      // Pushed but not stored yet (the inbox stores right after the push): shown too.
      const stored = new Set(page.items.map((n) => n.id));
      const pushed = app.recentNotices().map(noticeOf).filter((n) => !stored.has(n.id));
      setItems([...pushed, ...page.items]);
      setCursor(page.next_cursor);
      app.setUnread(page.unread + pushed.length);
    }, (error) => setProblem(generalProblem(error)));
    return app.listen("notifications", (event: LiveEvent) => {
      const item = noticeOf(event);
      setItems((shown) => shown && !shown.some((n) => n.id === item.id) ? [item, ...shown] : shown);
    });
  }, [reload, app.session.account?.id, app.sessionReady]);

  const markRead = async (ids: string[] | null) => {
    try {
      await app.api.markRead(ids);
    } catch (error) {
      return setProblem(generalProblem(error));
    }
    setItems((shown) => shown?.map((n) => (ids === null || ids.includes(n.id) ? { ...n, read: true } : n)) ?? null);
    const left = (items ?? []).filter((n) => !n.read && ids !== null && !ids.includes(n.id)).length;
    app.setUnread(ids === null ? 0 : left);
  };

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title" tabIndex={-1}>{t("notifications_title")}</h1>
      {items && items.some((n) => !n.read) && <button type="button" onClick={() => void markRead(null)}>{t("mark_all_read")}</button>}
      {problem && <Problem problem={problem} retry={() => setReload((n) => n + 1)} />}
      {!problem && items === null && <Loading />}
      {items?.length === 0 && <Empty message={t("notifications_empty")} />}
      {items && items.length > 0 && (
        <ol class="inbox">
          {items.map((n) => (
            <li key={n.id} class={n.read ? "read" : "unread"}>
              <p>
                {!n.read && <><span class="dot" aria-hidden="true" /><span class="visually-hidden">{t("unread_item")}</span></>}
                {n.post_id ? <Link href={hrefOf(n)} onClick={() => !n.read && void markRead([n.id])}>{titleOf(t, app.tn, n)}</Link> : titleOf(t, app.tn, n)}
              </p>
              <p class="meta"><time dateTime={n.created_at}>{app.ago(n.created_at)}</time>
                {!n.read && <button type="button" class="link" onClick={() => void markRead([n.id])}>{t("mark_read")}</button>}</p>
            </li>
          ))}
        </ol>
      )}
      {cursor && <button type="button" onClick={() => void app.api.inbox(cursor).then((page) => { setItems([...(items ?? []), ...page.items]); setCursor(page.next_cursor); }, (error) => setProblem(generalProblem(error)))}>{t("more")}</button>}
    </section>
  );
}

/** Where a notification leads: a message to its conversation, the rest to the post. */
export function hrefOf(n: Notification): string {
  if (n.reason === "message" && n.title_params.conversation) return `/conversations/${n.title_params.conversation}`;
  return `/posts/${n.post_id}`;
}

/** A notification as the inbox lists it, from its live event. */
export function noticeOf(event: LiveEvent): Notification {
  const d = event.data as Record<string, unknown>;
  return {
    id: String(d.notification_id), reason: String(d.reason), title: String(d.title),
    title_code: (d.title_code as string) ?? null,
    title_params: (d.title_params as Record<string, string>) ?? {},
    post_id: (d.post_id as string) ?? null, urgent: Boolean(d.urgent),
    created_at: String(d.created_at), read: false, distance_m: (d.distance_m as number) ?? null,
  };
}

type T = (key: Key, params?: Record<string, string | number>) => string;
type TN = (key: string, count: number, params?: Record<string, string | number>) => string;

/** The title in the reader's language from its code; the server's English otherwise
 * (an item from before codes, or a code this client does not know yet). */
export function titleOf(t: T, tn: TN, n: Notification): string {
  if (n.title_code === "digest") return tn("notice_digest", Number(n.title_params.n ?? 0));
  const key = `notice_${n.title_code}`;
  if (!n.title_code || !hasKey(key)) return n.title;
  // A post this service never saw has no title to give: "a post", in her language.
  return t(key, { title: t("notice_a_post"), ...n.title_params });
}
