import { useState } from "preact/hooks";

import type { Post } from "../../api/resources";
import { useApp } from "../../app";
import { generalProblem } from "../../errors";
import type { Problem as ProblemOf } from "../../validation";

/** The author takes her post down, after saying yes once more. */
export function Withdraw({ post, onDone }: { post: Post; onDone(p: Post): void }) {
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
