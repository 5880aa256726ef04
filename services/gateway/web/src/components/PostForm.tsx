import { useState } from "preact/hooks";

import type { Post } from "../api/resources";
import { useApp } from "../app";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import { CATEGORIES, LIMITS, type PostDraft, type Problem, type Problems, checkPost } from "../validation";
import { Field, describedBy } from "./Field";
import { type Chosen, PlacePicker } from "./PlacePicker";

const DRAFT_KEY = "entraide-draft";
const RADII_M = [500, 2000, 5000, 10000, 50000];

/** Ask or offer (or edit): required fields say so before sending, with the limits the
 * API applies; nothing typed is cut. A draft survives a session that ran out. */
export function PostForm({ post, onDone }: { post?: Post; onDone(post: Post): void }) {
  const app = useApp();
  const { t } = app;
  const saved = post ? null : JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? "null");
  const [kind, setKind] = useState(post?.kind ?? saved?.kind ?? "");
  const [category, setCategory] = useState(post?.category ?? saved?.category ?? "");
  const [title, setTitle] = useState(post?.title ?? saved?.title ?? "");
  const [body, setBody] = useState(post?.body ?? saved?.body ?? "");
  const [place, setPlace] = useState<Chosen>(
    post ? { ...(post.exact_location ?? post.location), name: t("place_unchanged") } : saved?.place ?? null,
  );
  const [radius, setRadius] = useState(post?.radius_m ?? saved?.radius ?? 2000);
  const [urgent, setUrgent] = useState(post ? post.urgency === "urgent" : saved?.urgent ?? false);
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<Problem | null>(null);
  const [sending, setSending] = useState(false);

  const draft: PostDraft = { kind, category, title, body, place, urgent };
  const remember = () => !post && sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, radius }));

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
        : await app.api.createPost({ ...fields, kind, language: app.lang, urgency: urgent ? "urgent" : "normal" });
      sessionStorage.removeItem(DRAFT_KEY);
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
    <form class="post-form" onSubmit={submit} onInput={remember} noValidate>
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
      <Field name="title" label={t("field_title")} problem={problems.title} hint={t("chars_left", { n: LIMITS.titleMax - title.length })}>
        <input {...describedBy("title", problems.title, "hint")} type="text" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field name="body" label={t("field_body")} problem={problems.body} hint={t("chars_left", { n: LIMITS.bodyMax - body.length })}>
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
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit" class="primary" disabled={sending}>{sending ? t("sending") : post ? t("save") : t("publish")}</button>
    </form>
  );
}
