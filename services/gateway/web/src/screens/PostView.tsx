import { useEffect, useState } from "preact/hooks";

import type { Post, Reply } from "../api/resources";
import { useApp } from "../app";
import { Link } from "../components/Link";
import { PostCard } from "../components/PostCard";
import { PostForm } from "../components/PostForm";
import { Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import type { LiveEvent } from "../live/socket";
import type { Problem as ProblemOf } from "../validation";
import { Matches } from "./post/Matches";
import { ReplyForm } from "./post/ReplyForm";
import { Report } from "./post/Report";
import { Resolve } from "./post/Resolve";
import { Photos } from "./post/Photos";
import { Withdraw } from "./post/Withdraw";
import { Appeal } from "./post/Appeal";
import { Contact } from "./post/Contact";
import { OfferAnswer } from "./post/OfferAnswer";

/** One post as its own view (on a phone too): the post, its thread live, and what the
 * reader may do: reply, report; its author: edit, resolve, withdraw, see the matches. */
export function PostView({ id }: { id: string }) {
  const app = useApp();
  const { t } = app;
  const [post, setPost] = useState<Post | null>(null);
  const [replies, setReplies] = useState<Reply[]>([]);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [mode, setMode] = useState<"view" | "edit" | "resolve" | "report">("view");
  const [reload, setReload] = useState(0);
  const mine = post && app.session.account?.id === post.author.id;

  useEffect(() => {
    // After the session is known: its author sees her own post whatever its status.
    if (!app.sessionReady) return;
    setProblem(null);
    Promise.all([app.api.post(id), app.api.thread(id, null)]).then(
      ([p, thread]) => { setPost(p); setReplies(thread.items); },
      (error) => setProblem(generalProblem(error)),
    );
    const channel = `post:${id}`;
    app.live.subscribe(channel);
    const off = app.listen(channel, (event: LiveEvent) => {
      if (event.type.includes("reply.created")) {
        const d = event.data as Record<string, string>;
        const reply: Reply = { id: d.reply_id, author: { id: d.author_id, display_name: d.author_name ?? "" },
          intent: d.intent as Reply["intent"], body: d.body, created_at: d.created_at };
        setReplies((shown) => (shown.some((r) => r.id === reply.id) ? shown : [...shown, reply]));
      } else if (event.type.includes("reply.answered")) {
        const d = event.data as { reply_id: string; answer: Reply["answer"] };
        setReplies((shown) => shown.map((r) => (r.id === d.reply_id ? { ...r, answer: d.answer } : r)));
      } else {
        void app.api.post(id).then(setPost, () => undefined);
      }
    }, () => setReload((n) => n + 1));
    return () => { off(); app.live.unsubscribe(channel); };
  }, [id, reload, app.session.account?.id, app.sessionReady]);

  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!post) return <Loading />;
  const open = post.status === "open" || post.status === "matched";

  return (
    <section class="post-view" aria-labelledby="post-title">
      <p><Link href="/">{t("back_to_feed")}</Link></p>
      <h1 id="post-title" tabIndex={-1}>{post.title}</h1>
      {mode === "edit" ? (
        <PostForm post={post} onDone={(p) => { setPost(p); setMode("view"); }} />
      ) : (
        <PostCard post={post} full />
      )}
      <Photos post={post} mine={Boolean(mine)} onChange={setPost} />
      {!mine && <Contact post={post} />}
      {mine && post.status === "removed" && <Appeal postId={post.id} />}
      {mine && open && post.urgency === "urgent" && (
        <p class="room-link"><Link href={`/alerts/${post.id}`} class="button primary urgent">{t("open_room")}</Link></p>
      )}
      {mine && open && mode === "view" && (
        <div class="actions">
          <button type="button" onClick={() => setMode("edit")}>{t("edit")}</button>
          <button type="button" onClick={() => setMode("resolve")}>{t("resolve")}</button>
          <Withdraw post={post} onDone={setPost} />
        </div>
      )}
      {mine && mode === "resolve" && (
        <Resolve post={post} replies={replies} onDone={(p) => { setPost(p); setMode("view"); }} onCancel={() => setMode("view")} />
      )}
      {mine && <Matches post={post} />}
      <section aria-labelledby="thread-title" class="thread">
        <h2 id="thread-title">{app.tn("replies", replies.length)}</h2>
        <ol>
          {replies.map((r) => (
            <li key={r.id} class={r.intent === "can_help" ? "can-help" : ""}>
              <p class="meta"><strong>{r.author.id ? <Link href={`/members/${r.author.id}`}>{r.author.display_name || t("a_member")}</Link> : (r.author.display_name || t("a_member"))}</strong>
                {r.intent === "can_help" && <span class="tag">{t("intent_can_help")}</span>}
                <time dateTime={r.created_at}>{app.ago(r.created_at)}</time></p>
              <p>{r.body}</p>
              <OfferAnswer post={post} reply={r} mine={Boolean(mine)}
                onDone={(answered) => setReplies((shown) => shown.map((x) => (x.id === answered.id ? answered : x)))} />
            </li>
          ))}
        </ol>
        {open && <ReplyForm post={post} onSent={(r) => setReplies((shown) => shown.some((x) => x.id === r.id) ? shown : [...shown, r])} />}
      </section>
      {!mine && app.session.loggedIn && (mode === "report"
        ? <Report post={post} onDone={() => setMode("view")} />
        : <button type="button" class="link" onClick={() => setMode("report")}>{t("report")}</button>)}
    </section>
  );
}
