import { useEffect, useRef, useState } from "preact/hooks";

import type { Conversation as ConversationOf, Message } from "../api/resources";
import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { SafetyNote } from "../components/SafetyNote";
import { ReportForm } from "./post/Report";
import { Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import type { LiveEvent } from "../live/socket";
import { LIMITS, type Problem as ProblemOf, type Problems, checkText } from "../validation";

const MESSAGE_SENT = "conversation.message-sent";
const READ = "conversation.read";

/** One private conversation: its messages live, what the other has seen, writing, and
 * the way out (block, report). Bodies are plain text, shown as text. */
export function Conversation({ id }: { id: string }) {
  const app = useApp();
  const { t } = app;
  const me = app.session.account?.id;
  const [conversation, setConversation] = useState<ConversationOf | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  const [reporting, setReporting] = useState<{ messageId: string | null } | null>(null);
  const [notice, setNotice] = useState<ProblemOf | null>(null);

  const markRead = (upTo: string | null) => {
    if (document.visibilityState === "visible") void app.api.readConversation(id, upTo).catch(() => undefined);
  };

  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go(`/login?next=/conversations/${id}`, true);
    setProblem(null);
    Promise.all([app.api.conversation(id), app.api.messages(id, null)]).then(([c, page]) => {
      setConversation(c);
      setMessages(page.items);
      setOlder(page.next_cursor);
      if (c.unread > 0) markRead(null);
    }, (error) => setProblem(generalProblem(error)));
    // Messages that came while the tab was hidden are read when she comes back to it.
    const onVisible = () => { if (document.visibilityState === "visible") markRead(null); };
    document.addEventListener("visibilitychange", onVisible);
    const off = app.listen("conversations", (event: LiveEvent) => {
      const d = event.data as Record<string, unknown>;
      if (d.conversation_id !== id) return;
      if (event.type.includes(MESSAGE_SENT)) {
        const message: Message = {
          id: String(d.message_id), conversation_id: id, body: String(d.body), sent_at: String(d.sent_at),
          sender: { id: String(d.sender_id), display_name: String(d.sender_name) },
        };
        setMessages((shown) => (shown.some((m) => m.id === message.id) ? shown : [...shown, message]));
        if (d.meeting) setConversation((c) => c && { ...c, meeting_noted: true });
        if (message.sender.id !== me) markRead(message.id);
      } else if (event.type.includes(READ) && d.member_id !== me) {
        setConversation((c) => c && { ...c, seen_up_to: String(d.up_to_message_id) });
      }
    }, () => setReload((n) => n + 1));
    return () => { off(); document.removeEventListener("visibilitychange", onVisible); };
  }, [id, reload, me, app.sessionReady]);

  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!conversation) return <Loading />;
  const other = conversation.other;
  const seen = conversation.seen_up_to;
  const lastMine = [...messages].reverse().find((m) => m.sender.id === me);

  const loadOlder = () => older && void app.api.messages(id, older).then((page) => {
    setMessages((shown) => [...page.items, ...shown]);
    setOlder(page.next_cursor);
  }, (error) => setProblem(generalProblem(error)));

  const toggleBlock = async () => {
    try {
      if (conversation.blocked_by_me) {
        await app.api.unblock(other.id);
        app.blocked.delete(other.id);
      } else {
        await app.api.block(other.id);
        app.blocked.add(other.id);
      }
    } catch (error) {
      return setNotice(generalProblem(error));
    }
    const blocked = !conversation.blocked_by_me;
    setNotice({ key: blocked ? "blocked_done" : "unblocked_done", params: { name: other.display_name } });
    // Refreshed from the server: whether she may write depends on the other's block too.
    void app.api.conversation(id).then(setConversation, () => undefined);
  };

  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <p><Link href="/me/conversations">{t("back_to_conversations")}</Link></p>
      <h1 id="conversation-title" tabIndex={-1}>
        <Link href={`/members/${other.id}`}>{other.display_name}</Link>
      </h1>
      <p class="meta">{t("conversation_about_label")} <Link href={`/posts/${conversation.post.id}`}>{conversation.post.title}</Link></p>
      <p class="meta privacy">{t("conversation_private")}</p>
      {conversation.meeting_noted && <SafetyNote />}
      {older && <button type="button" onClick={loadOlder}>{t("older_messages")}</button>}
      <ol class="messages" aria-live="polite" aria-label={t("messages_label")}>
        {messages.map((m) => {
          const mine = m.sender.id === me;
          return (
            <li key={m.id} class={mine ? "mine" : "theirs"}>
              <p class="meta"><strong>{mine ? t("you") : m.sender.display_name}</strong>
                <time dateTime={m.sent_at}>{app.ago(m.sent_at)}</time>
                {!mine && <button type="button" class="link" onClick={() => setReporting({ messageId: m.id })}>{t("report_message")}</button>}</p>
              <p class="body">{m.body}</p>
              {mine && m === lastMine && seen && seen >= m.id && <p class="meta seen">{t("message_seen")}</p>}
            </li>
          );
        })}
      </ol>
      {conversation.can_write
        ? <Composer id={id} onSent={(m) => setMessages((shown) => (shown.some((s) => s.id === m.id) ? shown : [...shown, m]))}
            onBlocked={() => setConversation({ ...conversation, can_write: false })} />
        : <p class="state" role="status">{conversation.blocked_by_me ? t("you_blocked", { name: other.display_name }) : t("cannot_write")}</p>}
      {notice && <p role="status">{t(notice.key, notice.params)}</p>}
      {reporting
        ? <ReportForm label={reporting.messageId ? "report_message_reason" : "report_conversation_reason"}
            send={(reason) => app.api.reportConversation(id, reason, reporting.messageId)} onDone={() => setReporting(null)} />
        : (
          <div class="actions">
            <button type="button" onClick={() => void toggleBlock()}>
              {conversation.blocked_by_me ? t("unblock", { name: other.display_name }) : t("block", { name: other.display_name })}
            </button>
            <button type="button" onClick={() => setReporting({ messageId: null })}>{t("report_conversation")}</button>
          </div>
        )}
    </section>
  );
}

function Composer({ id, onSent, onBlocked }: { id: string; onSent(m: Message): void; onBlocked(): void }) {
  const app = useApp();
  const { t } = app;
  const [body, setBody] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkText(body, LIMITS.messageMax, "body");
    setProblems(found);
    if (Object.keys(found).length || sending) return;
    setSending(true);
    try {
      onSent(await app.api.send(id, body));
      setBody("");
      box.current?.focus();
    } catch (error) {
      const fields = fieldProblems(error);
      setProblems(Object.keys(fields).length ? { body: Object.values(fields)[0] } : { body: generalProblem(error) });
      if ((error as { code?: string }).code === "blocked") onBlocked();
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="composer" onSubmit={submit} noValidate>
      <Field name="body" label={t("message_label")} problem={problems.body}>
        <textarea {...describedBy("body", problems.body)} ref={box} rows={3} value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit(e); }} />
      </Field>
      <button type="submit" class="primary" disabled={sending}>{t("message_send")}</button>
    </form>
  );
}
