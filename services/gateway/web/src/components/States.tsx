import { useApp } from "../app";
import type { Problem as ProblemOf } from "../validation";

/** Loading, empty and failed are different things on screen: never "nothing here" for
 * "cannot reach the server". */
export function Loading() {
  const { t } = useApp();
  return <p class="state loading" role="status">{t("state_loading")}</p>;
}

export function Empty({ message }: { message: string }) {
  return <p class="state empty">{message}</p>;
}

export function Problem({ problem, retry }: { problem: ProblemOf; retry?: () => void }) {
  const { t } = useApp();
  return (
    <div class="state problem" role="alert">
      <p>{t(problem.key, problem.params)}</p>
      {retry && <button type="button" onClick={retry}>{t("retry")}</button>}
    </div>
  );
}
