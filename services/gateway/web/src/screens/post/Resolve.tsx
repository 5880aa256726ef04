import { useState } from "preact/hooks";

import type { Post, Reply } from "../../api/resources";
import { useApp } from "../../app";
import { fieldProblems, generalProblem } from "../../errors";
import type { Key } from "../../i18n";
import { OUTCOMES, type Problem as ProblemOf, type Problems } from "../../validation";

/** How it ended, and who helped: chosen among the people who replied. */
export function Resolve({ post, replies, onDone, onCancel }: { post: Post; replies: Reply[]; onDone(p: Post): void; onCancel(): void }) {
  const app = useApp();
  const { t } = app;
  const [outcome, setOutcome] = useState<string>("helped");
  const [helpers, setHelpers] = useState<string[]>([]);
  const [general, setGeneral] = useState<ProblemOf | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const people = [...new Map(replies.filter((r) => r.author.id !== post.author.id).map((r) => [r.author.id, r.author])).values()];
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      onDone(await app.api.resolvePost(post.id, outcome, outcome === "helped" ? helpers : []));
    } catch (error) {
      setProblems(fieldProblems(error));
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
          {problems.helped_by && <p class="field-problem" role="alert">{t(problems.helped_by.key, problems.helped_by.params)}</p>}
        </fieldset>
      )}
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit" class="primary">{t("resolve")}</button>
      <button type="button" onClick={onCancel}>{t("cancel")}</button>
    </form>
  );
}
