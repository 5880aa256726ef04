import { useState } from "preact/hooks";

import type { Post, Reply } from "../../api/resources";
import { useApp } from "../../app";
import { Field, describedBy } from "../../components/Field";
import { Link } from "../../components/Link";
import { fieldProblems, generalProblem } from "../../errors";
import { LIMITS, type Problem as ProblemOf, type Problems, checkText } from "../../validation";

/** A reply, or "I can help". What she typed waits in the tab while she logs in again. */
export function ReplyForm({ post, onSent }: { post: Post; onSent(reply: Reply): void }) {
  const app = useApp();
  const { t } = app;
  const draftKey = `entraide-reply-${post.id}`;
  const [body, setBodyState] = useState(() => sessionStorage.getItem(draftKey) ?? "");
  const setBody = (text: string) => {
    setBodyState(text);
    if (text) sessionStorage.setItem(draftKey, text);
    else sessionStorage.removeItem(draftKey);
  };
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
      const problem = generalProblem(error);
      setGeneral(problem);
      // The session ended: log in again, and find the reply as she left it.
      if (problem.key === "error_session_over") app.go(`/login?next=/posts/${post.id}`);
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
