import { useEffect, useState } from "preact/hooks";

import type { Post } from "../api/resources";
import { useApp } from "../app";
import { Link } from "../components/Link";
import { PostCard } from "../components/PostCard";
import { Empty, Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import type { Problem as ProblemOf } from "../validation";

export function MyPosts() {
  const app = useApp();
  const { t } = app;
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/me/posts", true);
    app.api.myPosts(null).then((page) => { setPosts(page.items); setCursor(page.next_cursor); },
      (error) => setProblem(generalProblem(error)));
  }, [reload, app.session.account?.id, app.sessionReady]);
  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title" tabIndex={-1}>{t("my_posts_title")}</h1>
      {problem && <Problem problem={problem} retry={() => setReload((n) => n + 1)} />}
      {!problem && posts === null && <Loading />}
      {posts?.length === 0 && <Empty message={t("my_posts_empty")} />}
      {posts && posts.length > 0 && <ol class="posts">{posts.map((p) => <li key={p.id}><PostCard post={p} /></li>)}</ol>}
      {cursor && <button type="button" onClick={() => void app.api.myPosts(cursor).then((page) => { setPosts([...(posts ?? []), ...page.items]); setCursor(page.next_cursor); }, (error) => setProblem(generalProblem(error)))}>{t("more")}</button>}
      <p><Link href="/new" class="button primary">{t("nav_new_post")}</Link></p>
    </section>
  );
}
