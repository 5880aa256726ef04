import { useEffect, useState } from "preact/hooks";

import type { Match, Post } from "../../api/resources";
import { useApp } from "../../app";
import { Link } from "../../components/Link";
import { MatchReasons } from "../../components/MatchReasons";

/** The post's matches with their reasons, for its author (the API gives them to nobody
 * else). */
export function Matches({ post }: { post: Post }) {
  const app = useApp();
  const { t } = app;
  const [matches, setMatches] = useState<Match[] | null>(null);
  useEffect(() => {
    app.api.matches(post.id).then(setMatches, () => setMatches([]));
  }, [post.id]);
  if (!matches || matches.length === 0) return null;
  return (
    <section aria-labelledby="matches-title" class="matches">
      <h2 id="matches-title">{post.kind === "request" ? t("matches_offers") : t("matches_requests")}</h2>
      <ol>
        {matches.filter((m) => m.other).map((m) => (
          <li key={m.match_id}>
            <Link href={`/posts/${m.other_post_id}`}>{m.other?.title}</Link>
            <MatchReasons reasons={m.reasons} category={post.category} />
          </li>
        ))}
      </ol>
    </section>
  );
}
