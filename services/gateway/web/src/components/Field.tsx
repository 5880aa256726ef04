import type { ComponentChildren } from "preact";

import { useApp } from "../app";
import type { Problem } from "../validation";

/** A labelled control with its problem, in the member's language, next to it. */
export function Field({ name, label, problem, hint, children }: {
  name: string; label: string; problem?: Problem; hint?: string; children: ComponentChildren;
}) {
  const { t } = useApp();
  return (
    <div class={`field ${problem ? "has-problem" : ""}`}>
      <label for={`f-${name}`}>{label}</label>
      {children}
      {hint && <p class="hint" id={`f-${name}-hint`}>{hint}</p>}
      {problem && <p class="field-problem" id={`f-${name}-problem`} role="alert">{t(problem.key, problem.params)}</p>}
    </div>
  );
}

export function describedBy(name: string, problem?: Problem, hint?: string): Record<string, unknown> {
  const ids = [hint ? `f-${name}-hint` : "", problem ? `f-${name}-problem` : ""].filter(Boolean).join(" ");
  return { id: `f-${name}`, name, "aria-invalid": problem ? true : undefined, "aria-describedby": ids || undefined };
}
