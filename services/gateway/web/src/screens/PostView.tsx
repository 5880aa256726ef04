import { useEffect, useState } from "preact/hooks";

import type { Match, Post, Reply } from "../api/resources";
import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { MatchReasons } from "../components/MatchReasons";
import { PostCard } from "../components/PostCard";
import { PostForm } from "../components/PostForm";
import { Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import type { LiveEvent } from "../live/socket";
import { LIMITS, OUTCOMES, type Problem as ProblemOf, type Problems, checkText } from "../validation";

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
      } else {
        void app.api.post(id).then(setPost, () => undefined);
      }
    }, () => setReload((n) => n + 1));
    return () => { off(); app.live.unsubscribe(channel); };
  }, [id, reload, app.session.account?.id]);

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
        <PostCard post={post} />
      )}
      {post.body && mode !== "edit" && <p class="full-body">{post.body}</p>}
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
              <p class="meta"><strong>{r.author.display_name || t("a_member")}</strong>
                {r.intent === "can_help" && <span class="tag">{t("intent_can_help")}</span>}
                <time dateTime={r.created_at}>{app.ago(r.created_at)}</time></p>
              <p>{r.body}</p>
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

function ReplyForm({ post, onSent }: { post: Post; onSent(reply: Reply): void }) {
  const app = useApp();
  const { t } = app;
  const [body, setBody] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<ProblemOf | null>(null);
  if (!app.session.loggedIn) return <p><Link href={`/login?next=/posts/${post.id}`}>{t("log_in_to_reply")}</Link></p>;
  const mine = app.session.account?.id === post.author.id;
  const send = async (intent: string) => {
    const found = checkText(body, LIMITS.replyMax, "body");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      onSent(await app.api.reply(post.id, body, intent));
      setBody("");
      setGeneral(null);
    } catch (error) {
      setProblems(fieldProblems(error));
      setGeneral(generalProblem(error));
    }
  };
  return (
    <form class="reply" onSubmit={(e) => { e.preventDefault(); void send("comment"); }} noValidate>
      <Field name="reply" label={t("your_reply")} problem={problems.body}>
        <textarea {...describedBy("reply", problems.body)} rows={3} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </Field>
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit">{t("reply")}</button>
      {!mine && <button type="button" class="primary" onClick={() => void send("can_help")}>{t("i_can_help")}</button>}
    </form>
  );
}

function Resolve({ post, replies, onDone, onCancel }: { post: Post; replies: Reply[]; onDone(p: Post): void; onCancel(): void }) {
  const app = useApp();
  const { t } = app;
  const [outcome, setOutcome] = useState<string>("helped");
  const [helpers, setHelpers] = useState<string[]>([]);
  const [general, setGeneral] = useState<ProblemOf | null>(null);
  const people = [...new Map(replies.filter((r) => r.author.id !== post.author.id).map((r) => [r.author.id, r.author])).values()];
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      onDone(await app.api.resolvePost(post.id, outcome, outcome === "helped" ? helpers : []));
    } catch (error) {
      setGeneral(generalProblem(error));
    }
  };
  return (
    <form class="resolve" onSubmit={submit}>
      <fieldset>
        <legend>{t("resolve_how")}</legend>
        {OUTCOMES.map((o) => (
          <label class="choice"><input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />{t(`outcome_${o}` as Key)}</label>
        ))}
      </fieldset>
      {outcome === "helped" && people.length > 0 && (
        <fieldset>
          <legend>{t("resolve_who")}</legend>
          {people.map((person) => (
            <label class="choice">
              <input type="checkbox" checked={helpers.includes(person.id)}
                onChange={(e) => setHelpers((h) => e.currentTarget.checked ? [...h, person.id] : h.filter((x) => x !== person.id))} />
              {person.display_name}
            </label>
          ))}
        </fieldset>
      )}
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit" class="primary">{t("resolve")}</button>
      <button type="button" onClick={onCancel}>{t("cancel")}</button>
    </form>
  );
}

function Withdraw({ post, onDone }: { post: Post; onDone(p: Post): void }) {
  const app = useApp();
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  if (!asking) return <button type="button" onClick={() => setAsking(true)}>{app.t("withdraw")}</button>;
  const withdraw = () => app.api.withdrawPost(post.id).then(onDone, (error) => setProblem(generalProblem(error)));
  return (
    <span class="confirm" role="group" aria-label={app.t("withdraw_confirm")}>
      {app.t("withdraw_confirm")}
      <button type="button" class="danger" onClick={() => void withdraw()}>{app.t("withdraw")}</button>
      <button type="button" onClick={() => setAsking(false)}>{app.t("cancel")}</button>
      {problem && <span class="form-problem" role="alert">{app.t(problem.key, problem.params)}</span>}
    </span>
  );
}

function Report({ post, onDone }: { post: Post; onDone(): void }) {
  const app = useApp();
  const { t } = app;
  const [reason, setReason] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [done, setDone] = useState<ProblemOf | null>(null);
  if (done) return <p role="status">{t(done.key)}</p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkText(reason, LIMITS.reportMax, "reason");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await app.api.reportPost(post.id, reason);
      setDone({ key: "report_thanks" });
    } catch (error) {
      setDone(generalProblem(error));
    }
  };
  return (
    <form class="report" onSubmit={submit} noValidate>
      <Field name="reason" label={t("report_reason")} problem={problems.reason}>
        <textarea {...describedBy("reason", problems.reason)} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <button type="submit">{t("report_send")}</button>
      <button type="button" onClick={onDone}>{t("cancel")}</button>
    </form>
  );
}

function Matches({ post }: { post: Post }) {
  const app = useApp();
  const { t } = app;
  const [matches, setMatches] = useState<Match[] | null>(null);
  useEffect(() => {
    app.api.matches(post.id).then(setMatches, () => setMatches([]));
  }, [post.id]);
  if (!matches || matches.length === 0) return null;
  return (
    <section aria-labelledby="matches-title" class="matches">
      <h2 id="matches-title">{post.kind === "request" ? t("matches_offers") : t("matches_requests")}</h2>
      <ol>
        {matches.filter((m) => m.other).map((m) => (
          <li key={m.match_id}>
            <Link href={`/posts/${m.other_post_id}`}>{m.other?.title}</Link>
            <MatchReasons reasons={m.reasons} category={post.category} />
          </li>
        ))}
      </ol>
    </section>
  );
}
