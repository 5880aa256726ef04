import { useState } from "preact/hooks";

import type { Post } from "../../api/resources";
import { useApp } from "../../app";
import { ApiError } from "../../api/http";
import { generalProblem, problemOf } from "../../errors";
import type { Problem } from "../../validation";

export const MAX_PHOTOS = 4;
const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPTED = "image/jpeg,image/png,image/webp";

/** A post's photos; its author adds (up to 4, checked here as the server checks) and
 * removes them. Shown with an empty text alternative: the post's text says what it is. */
export function Photos({ post, mine, onChange }: { post: Post; mine: boolean; onChange(p: Post): void }) {
  const app = useApp();
  const { t } = app;
  const [problem, setProblem] = useState<Problem | null>(null);
  const [sending, setSending] = useState(false);
  const photos = post.photos ?? [];
  const open = post.status === "open";
  if (!photos.length && !(mine && open)) return null;

  const add = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    if (file.size > MAX_BYTES) return setProblem({ key: "error_image_too_big" });
    setProblem(null);
    setSending(true);
    try {
      onChange(await app.api.addPhoto(post.id, file));
    } catch (error) {
      const field = error instanceof ApiError ? error.fields.find((f) => f.field === "file") : undefined;
      setProblem(field ? problemOf(field) : generalProblem(error));
    } finally {
      setSending(false);
    }
  };
  const remove = (photoId: string) =>
    app.api.removePhoto(post.id, photoId).then(onChange, (error) => setProblem(generalProblem(error)));

  return (
    <section class="photos" aria-label={t("photos")}>
      <ul>
        {photos.map((id) => (
          <li key={id}>
            <a href={app.api.photoUrl(id)} target="_blank" rel="noopener">
              <img src={app.api.photoUrl(id, true)} alt={t("photo_of", { title: post.title })} loading="lazy" />
            </a>
            {mine && open && <button type="button" onClick={() => void remove(id)}>{t("photo_remove")}</button>}
          </li>
        ))}
      </ul>
      {mine && open && photos.length < MAX_PHOTOS && (
        <div class="field">
          <label for="add-photo">{sending ? t("sending") : t("photo_add")}</label>
          <input id="add-photo" type="file" accept={ACCEPTED} disabled={sending} aria-describedby="add-photo-hint"
            onChange={(e) => void add(e.currentTarget)} />
          <p class="hint" id="add-photo-hint">{t("photo_hint")}</p>
        </div>
      )}
      {problem && <p class="form-problem" role="alert">{t(problem.key, problem.params)}</p>}
    </section>
  );
}
