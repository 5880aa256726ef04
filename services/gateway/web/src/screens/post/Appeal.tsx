import { useState } from "preact/hooks";

import { useApp } from "../../app";
import { Field, describedBy } from "../../components/Field";
import { fieldProblems, generalProblem } from "../../errors";
import { type Problem as ProblemOf, type Problems, checkText } from "../../validation";

const APPEAL_MAX = 1000;

/** The author of a removed post asks a moderator to have it back (once per decision). */
export function Appeal({ postId }: { postId: string }) {
  const app = useApp();
  const { t } = app;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [done, setDone] = useState<ProblemOf | null>(null);
  if (done) return <p role="status">{t(done.key, done.params)}</p>;
  if (!open) return <p><button type="button" onClick={() => setOpen(true)}>{t("appeal_open")}</button></p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkText(text, APPEAL_MAX, "text");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await app.api.appeal(postId, text);
      setDone({ key: "appeal_sent" });
    } catch (error) {
      setProblems(fieldProblems(error));
      setDone(generalProblem(error));
    }
  };
  return (
    <form class="appeal" onSubmit={submit} noValidate>
      <Field name="text" label={t("appeal_label")} problem={problems.text}>
        <textarea {...describedBy("text", problems.text)} autoFocus rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="primary">{t("appeal_send")}</button>
    </form>
  );
}
