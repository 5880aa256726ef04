// What the posts API checks, checked before sending with the same limits, so that the
// member reads the reason next to the field at once (the server checks again).

import type { Key, Params } from "./i18n";

export const LIMITS = {
  titleMin: 3,
  titleMax: 140,
  bodyMax: 5000,
  replyMax: 2000,
  reportMax: 500,
  displayNameMax: 60,
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

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

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
  else if (title.length < LIMITS.titleMin) problems.title = { key: "error_too_short", params: { min: LIMITS.titleMin } };
  else if (title.length > LIMITS.titleMax) problems.title = { key: "error_too_long", params: { max: LIMITS.titleMax, n: title.length } };
  if (draft.body.length > LIMITS.bodyMax) problems.body = { key: "error_too_long", params: { max: LIMITS.bodyMax, n: draft.body.length } };
  if (CONTROL.test(draft.title) || CONTROL.test(draft.body)) problems.body = { key: "error_control_characters" };
  if (!draft.place) problems.place = { key: "error_choose_place" };
  if (draft.urgent && draft.kind !== "request") problems.urgency = { key: "error_urgent_request_only" };
  return problems;
}

export function checkText(text: string, max: number, field: string): Problems {
  if (!text.trim()) return { [field]: { key: "error_required" } };
  if (text.length > max) return { [field]: { key: "error_too_long", params: { max, n: text.length } } };
  return {};
}

export function checkAccount(email: string, password: string, name: string): Problems {
  const problems: Problems = {};
  if (!/^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$/.test(email)) problems.email = { key: "error_email" };
  if (password.length < LIMITS.passwordMin) problems.password = { key: "error_password_short", params: { min: LIMITS.passwordMin } };
  if (!name.trim()) problems.display_name = { key: "error_required" };
  else if (name.length > LIMITS.displayNameMax) problems.display_name = { key: "error_too_long", params: { max: LIMITS.displayNameMax, n: name.length } };
  return problems;
}
