// A refusal from the server, as a sentence in the member's language next to the field
// at fault (never the raw body): FastAPI's validation types and our error codes.

import { ApiError, type FieldError } from "./api/http";
import { type Key, hasKey } from "./i18n";
import type { Problem, Problems } from "./validation";

const VALIDATION: Record<string, Key> = {
  missing: "error_required",
  string_too_short: "error_too_short",
  string_too_long: "error_too_long",
  too_long: "error_too_many",
  string_pattern_mismatch: "error_invalid",
  enum: "error_invalid",
  literal_error: "error_invalid",
  greater_than_equal: "error_too_small",
  less_than_equal: "error_too_large",
  value_error: "error_invalid",
  json_invalid: "error_invalid",
};

export function problemOf(error: FieldError): Problem {
  const key = VALIDATION[error.code] ?? (hasKey(`error_${error.code}`) ? `error_${error.code}` : "error_invalid");
  const ctx = error.params as Record<string, string | number>;
  return { key: key as Key, params: { min: ctx.min_length ?? ctx.ge ?? "", max: ctx.max_length ?? ctx.le ?? "", n: ctx.n ?? "" } };
}

/** Field problems keyed by the form's field names: the first part of the API's path (a list item's index may follow it). */
export function fieldProblems(error: unknown, names: Record<string, string> = {}): Problems {
  if (!(error instanceof ApiError)) return {};
  const problems: Problems = {};
  for (const field of error.fields) {
    if (!field.field) continue;
    const last = field.field.split(".")[0];
    problems[names[last] ?? last] = problemOf(field);
  }
  return problems;
}

/** The one sentence for the whole form (or a banner). */
export function generalProblem(error: unknown): Problem {
  if (!(error instanceof ApiError)) return { key: "error_unexpected" };
  if (error.code === "offline") return { key: "state_offline" };
  if (error.unreachable) return { key: "state_unreachable" };
  if (error.status === 503) return { key: "error_unavailable" };
  // A limit of its own (urgent requests a day) is said next to its field.
  if (error.status === 429 && error.code !== "rate_limited" && hasKey(`error_${error.code}`)) {
    if (error.fields.some((f) => f.field)) return { key: "error_check_fields" };
    return { key: `error_${error.code}` as Key, params: { s: error.retryAfterS ?? 60 } };
  }
  if (error.status === 429) return { key: "error_rate_limited", params: { s: error.retryAfterS ?? 60 } };
  if (error.status === 401) return { key: "error_session_over" };
  if (error.status === 403) return { key: hasKey(`error_${error.code}`) ? (`error_${error.code}` as Key) : "error_forbidden" };
  if (error.status === 404) return { key: "error_not_found" };
  if (error.status === 409) return { key: hasKey(`error_${error.code}`) ? (`error_${error.code}` as Key) : "error_conflict" };
  if (error.status === 422) return { key: "error_check_fields" };
  return { key: "error_unexpected" };
}
