import { useApp } from "../app";
import { PostForm } from "../components/PostForm";

export function NewPost() {
  const app = useApp();
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title" tabIndex={-1}>{app.t("new_post_title")}</h1>
      {!app.session.loggedIn && <p class="note">{app.t("log_in_to_post")}</p>}
      <PostForm onDone={(post) => app.go(`/posts/${post.id}`)} />
    </section>
  );
}
