import { useState } from "preact/hooks";

import type { Post } from "../../api/resources";
import { useApp } from "../../app";
import { Field, describedBy } from "../../components/Field";
import { generalProblem } from "../../errors";
import type { Key } from "../../i18n";
import { LIMITS, type Problem as ProblemOf, type Problems, checkText } from "../../validation";

/** Report a post to the moderators, with a reason. */
export function Report({ post, onDone }: { post: Post; onDone(): void }) {
  const app = useApp();
  return <ReportForm label={"report_reason"} send={(reason) => app.api.reportPost(post.id, reason)} onDone={onDone} />;
}

/** A reason, sent to the moderators' queue (a post, a conversation, a message). */
export function ReportForm({ label, send, onDone }: {
  label: Key; send(reason: string): Promise<void>; onDone(): void;
}) {
  const app = useApp();
  const { t } = app;
  const [reason, setReason] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [done, setDone] = useState<ProblemOf | null>(null);
  if (done) return <p role="status">{t(done.key)} <button type="button" class="link" onClick={onDone}>{t("close")}</button></p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkText(reason, LIMITS.reportMax, "reason");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await send(reason);
      setDone({ key: "report_thanks" });
    } catch (error) {
      setDone(generalProblem(error));
    }
  };
  return (
    <form class="report" onSubmit={submit} noValidate>
      <Field name="reason" label={t(label)} problem={problems.reason}>
        <textarea {...describedBy("reason", problems.reason)} autoFocus rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <button type="submit">{t("report_send")}</button>
      <button type="button" onClick={onDone}>{t("cancel")}</button>
    </form>
  );
}
