// What the posts API checks, checked before sending with the same limits, so that the
// member reads the reason next to the field at once (the server checks again).

import type { Key, Params } from "./i18n";

export const LIMITS = {
  titleMin: 3,
  titleMax: 140,
  bodyMax: 5000,
  replyMax: 2000,
  messageMax: 2000,
  reportMax: 500,
  displayNameMax: 60,
  searchMax: 200,
  passwordMin: 10,
  passwordMax: 128,
} as const;

export const CATEGORIES = [
  "jobs", "tickets_events", "vehicles", "housing", "goods", "services", "find_a_person",
  "solidarity", "other",
] as const;

export const OUTCOMES = ["helped", "helped_elsewhere", "no_longer_needed", "other"] as const;

export type Problem = { key: Key; params?: Params };
export type Problems = Record<string, Problem>;

// As the server's patterns (shared/runtime/schemas.py): a text keeps tabs and line
// breaks, a line (a title, a name) does not.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f]/;

/** Characters as the server counts them (code points): an emoji is one, not two. */
export function length(text: string): number {
  return [...text].length;
}

export interface PostDraft {
  kind: string;
  category: string;
  title: string;
  body: string;
  place: { lat: number; lon: number } | null;
  urgent: boolean;
}

export function checkPost(draft: PostDraft): Problems {
  const problems: Problems = {};
  if (!draft.kind) problems.kind = { key: "error_required" };
  if (!draft.category) problems.category = { key: "error_choose_category" };
  const title = draft.title.trim();
  if (!title) problems.title = { key: "error_required" };
  else if (length(title) < LIMITS.titleMin) problems.title = { key: "error_too_short", params: { min: LIMITS.titleMin } };
  else if (length(title) > LIMITS.titleMax) problems.title = { key: "error_too_long", params: { max: LIMITS.titleMax, n: length(title) } };
  else if (CONTROL_IN_LINE.test(title)) problems.title = { key: "error_control_characters" };
  if (length(draft.body) > LIMITS.bodyMax) problems.body = { key: "error_too_long", params: { max: LIMITS.bodyMax, n: length(draft.body) } };
  else if (CONTROL.test(draft.body)) problems.body = { key: "error_control_characters" };
  if (!draft.place) problems.place = { key: "error_choose_place" };
  if (draft.urgent && draft.kind !== "request") problems.urgency = { key: "error_urgent_request_only" };
  return problems;
}

export function checkText(text: string, max: number, field: string): Problems {
  if (!text.trim()) return { [field]: { key: "error_required" } };
  if (length(text) > max) return { [field]: { key: "error_too_long", params: { max, n: length(text) } } };
  if (CONTROL.test(text)) return { [field]: { key: "error_control_characters" } };
  return {};
}

// The server's e-mail pattern (services/posts/entrypoints/schemas.py).
const EMAIL = /^[^@\s\u0000-\u001f\u007f]{1,64}@[^@\s\u0000-\u001f\u007f]+\.[^@\s\u0000-\u001f\u007f]+$/;
const EMAIL_MAX = 254;

export function checkPassword(password: string, field = "password"): Problems {
  if (length(password) < LIMITS.passwordMin) return { [field]: { key: "error_password_short", params: { min: LIMITS.passwordMin } } };
  if (length(password) > LIMITS.passwordMax) return { [field]: { key: "error_too_long", params: { max: LIMITS.passwordMax, n: length(password) } } };
  return {};
}

export function checkEmail(email: string): Problems {
  return EMAIL.test(email) && length(email) <= EMAIL_MAX ? {} : { email: { key: "error_email" } };
}

export function checkAccount(email: string, password: string, name: string): Problems {
  const problems: Problems = { ...checkEmail(email), ...checkPassword(password) };
  if (!name.trim()) problems.display_name = { key: "error_required" };
  else if (length(name) > LIMITS.displayNameMax) problems.display_name = { key: "error_too_long", params: { max: LIMITS.displayNameMax, n: length(name) } };
  else if (CONTROL_IN_LINE.test(name)) problems.display_name = { key: "error_control_characters" };
  return problems;
}
