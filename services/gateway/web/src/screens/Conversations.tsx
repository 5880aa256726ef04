import { useEffect, useState } from "preact/hooks";

import type { Conversation } from "../api/resources";
import { useApp } from "../app";
import { Link } from "../components/Link";
import { Empty, Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import type { Problem as ProblemOf } from "../validation";

/** My private conversations, the latest message first, with what is unread; live. */
export function Conversations() {
  const app = useApp();
  const { t } = app;
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/me/conversations", true);
    const load = () => app.api.conversations(null).then((page) => {
      setItems(page.items);
      setCursor(page.next_cursor);
      app.setUnreadMessages(page.unread);
    }, (error) => setProblem(generalProblem(error)));
    void load();
    // Any event of any of them changes the order or a count: read the first page again.
    return app.listen("conversations", () => void load(), () => void load());
  }, [reload, app.session.account?.id, app.sessionReady]);
  const more = () => cursor && void app.api.conversations(cursor).then((page) => {
    setItems([...(items ?? []), ...page.items]);
    setCursor(page.next_cursor);
  }, (error) => setProblem(generalProblem(error)));

  return (
    <section aria-labelledby="conversations-title">
      <h1 id="conversations-title" tabIndex={-1}>{t("conversations_title")}</h1>
      {problem && <Problem problem={problem} retry={() => setReload((n) => n + 1)} />}
      {!problem && items === null && <Loading />}
      {items?.length === 0 && <Empty message={t("conversations_empty")} />}
      {items && items.length > 0 && (
        <ol class="conversations">
          {items.map((c) => (
            <li key={c.id} class={c.unread ? "unread" : "read"}>
              <Link href={`/conversations/${c.id}`}>
                <strong>{c.other.display_name}</strong>
                {c.unread > 0 && <span class="badge">{c.unread}<span class="visually-hidden"> {app.tn("unread_messages", c.unread)}</span></span>}
              </Link>
              <p class="meta">{t("conversation_about", { title: c.post.title })}
                {" · "}<time dateTime={c.last_message_at}>{app.ago(c.last_message_at)}</time></p>
              {c.last_message && <p class="preview">{c.last_message.sender_id === app.session.account?.id ? t("conversation_you", { text: c.last_message.body }) : c.last_message.body}</p>}
            </li>
          ))}
        </ol>
      )}
      {cursor && <button type="button" onClick={more}>{t("more")}</button>}
    </section>
  );
}
