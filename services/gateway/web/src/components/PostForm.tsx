import { useEffect, useState } from "preact/hooks";

import type { Post } from "../api/resources";
import { useApp } from "../app";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import { CATEGORIES, LIMITS, type PostDraft, type Problem, type Problems, checkPost, length } from "../validation";
import { Field, describedBy } from "./Field";
import { type Chosen, PlacePicker } from "./PlacePicker";

const NEW_DRAFT_KEY = "entraide-draft";
const RADII_M = [500, 2000, 5000, 10000, 50000];

/** Ask or offer (or edit): required fields say so before sending, with the limits the
 * API applies; nothing typed is cut. A draft survives a session that ran out. */
export function PostForm({ post, onDone }: { post?: Post; onDone(post: Post): void }) {
  const app = useApp();
  const { t } = app;
  // A new post's draft, or an edit's, waits in the tab through a log-in.
  const draftKey = post ? `entraide-edit-${post.id}` : NEW_DRAFT_KEY;
  const saved = JSON.parse(sessionStorage.getItem(draftKey) ?? "null");
  const [kind, setKind] = useState(saved?.kind ?? post?.kind ?? "");
  const [category, setCategory] = useState(saved?.category ?? post?.category ?? "");
  const [title, setTitle] = useState(saved?.title ?? post?.title ?? "");
  const [body, setBody] = useState(saved?.body ?? post?.body ?? "");
  const [place, setPlace] = useState<Chosen>(
    saved?.place ?? (post ? { ...(post.exact_location ?? post.location), name: t("place_unchanged") } : null),
  );
  const [radius, setRadius] = useState(saved?.radius ?? post?.radius_m ?? 2000);
  const [urgent, setUrgent] = useState(post ? post.urgency === "urgent" : saved?.urgent ?? false);
  // A verified organisation may post for a person without an account, with her consent.
  const [behalf, setBehalf] = useState("");
  const [consent, setConsent] = useState(false);
  const organisation = !post && app.session.account?.role === "partner";
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<Problem | null>(null);
  const [sending, setSending] = useState(false);

  const draft: PostDraft = { kind, category, title, body, place, urgent };
  const remember = () => sessionStorage.setItem(draftKey, JSON.stringify({ ...draft, radius }));
  useEffect(remember, [kind, category, title, body, place, radius, urgent]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkPost(draft);
    setProblems(found);
    setGeneral(Object.keys(found).length ? { key: "error_check_fields" } : null);
    if (Object.keys(found).length || !place) return;
    remember();
    if (!app.session.loggedIn) return app.go(`/login?next=${encodeURIComponent(location.pathname)}`);
    setSending(true);
    const fields = { category, title: title.trim(), body, radius_m: radius,
      location: { lat: place.lat, lon: place.lon } };
    try {
      const done = post
        ? await app.api.editPost(post.id, place.name === t("place_unchanged") ? { category, title: title.trim(), body, radius_m: radius } : fields)
        : await app.api.createPost({ ...fields, kind, language: app.lang, urgency: urgent ? "urgent" : "normal",
          ...(organisation && behalf.trim() ? { on_behalf_of: { alias: behalf.trim(), consent } } : {}) });
      sessionStorage.removeItem(draftKey);
      onDone(done);
    } catch (error) {
      setProblems(fieldProblems(error, { location: "place", urgency: "urgency" }));
      const problem = generalProblem(error);
      setGeneral(problem);
      if (problem.key === "error_session_over") app.go(`/login?next=${encodeURIComponent(location.pathname)}`);
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="post-form" onSubmit={submit} noValidate>
      {!post && (
        <fieldset class="kind" aria-describedby={problems.kind ? "f-kind-problem" : undefined}>
          <legend>{t("field_kind")}</legend>
          {(["request", "offer"] as const).map((k) => (
            <label class="choice">
              <input type="radio" name="kind" value={k} checked={kind === k}
                onChange={() => { setKind(k); if (k === "offer") setUrgent(false); }} />
              {t(`kind_${k}_long` as Key)}
            </label>
          ))}
          {problems.kind && <p class="field-problem" id="f-kind-problem">{t(problems.kind.key)}</p>}
        </fieldset>
      )}
      <Field name="category" label={t("field_category")} problem={problems.category}>
        <select {...describedBy("category", problems.category)} value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          <option value="">{t("choose")}</option>
          {CATEGORIES.map((c) => <option value={c}>{t(`category_${c}` as Key)}</option>)}
        </select>
      </Field>
      <Field name="title" label={t("field_title")} problem={problems.title} hint={t("chars_left", { n: LIMITS.titleMax - length(title) })}>
        <input {...describedBy("title", problems.title, "hint")} type="text" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field name="body" label={t("field_body")} problem={problems.body} hint={t("chars_left", { n: LIMITS.bodyMax - length(body) })}>
        <textarea {...describedBy("body", problems.body, "hint")} rows={5} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </Field>
      <PlacePicker label={t("field_place")} place={place}
        onPlace={(p) => setPlace(p ? { lat: p.lat, lon: p.lon, name: p.name } : null)}
        problem={problems.place && t(problems.place.key)} />
      <Field name="radius" label={t("field_radius")}>
        <select {...describedBy("radius")} value={String(radius)} onChange={(e) => setRadius(Number(e.currentTarget.value))}>
          {RADII_M.map((m) => <option value={m}>{t("distance_km", { km: m / 1000 })}</option>)}
        </select>
      </Field>
      {!post && kind === "request" && (
        <label class="choice urgent-choice">
          <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.currentTarget.checked)} />
          {t("field_urgent")}
          <span class="hint">{t("field_urgent_hint")}</span>
        </label>
      )}
      {problems.urgency && <p class="field-problem" id="f-urgency-problem" role="alert">{t(problems.urgency.key, problems.urgency.params)}</p>}
      {organisation && (
        <fieldset class="on-behalf">
          <legend>{t("on_behalf_title")}</legend>
          <Field name="on_behalf_of" label={t("on_behalf_alias")} problem={problems.on_behalf_of} hint={t("on_behalf_hint")}>
            <input {...describedBy("on_behalf_of", problems.on_behalf_of, "hint")} value={behalf} onInput={(e) => setBehalf(e.currentTarget.value)} />
          </Field>
          <label class="choice"><input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} /> {t("on_behalf_consent")}</label>
        </fieldset>
      )}
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit" class="primary" disabled={sending}>{sending ? t("sending") : post ? t("save") : t("publish")}</button>
    </form>
  );
}
