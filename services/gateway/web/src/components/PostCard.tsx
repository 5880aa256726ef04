import type { Post } from "../api/resources";
import { useApp } from "../app";
import type { Key } from "../i18n";
import { Link } from "./Link";

export function PostCard({ post }: { post: Post }) {
  const { t, tn, ago, far } = useApp();
  return (
    <article class={`card ${post.urgency === "urgent" ? "urgent" : ""}`} aria-labelledby={`title-${post.id}`}>
      <p class="meta">
        <span class={`kind kind-${post.kind}`}>{t(`kind_${post.kind}` as Key)}</span>
        <span>{t(`category_${post.category}` as Key)}</span>
        {post.urgency === "urgent" && <strong class="urgent-tag">{t("urgent")}</strong>}
        {post.status !== "open" && <span class="status-tag">{t(`post_status_${post.status}` as Key)}</span>}
      </p>
      <h2 id={`title-${post.id}`}>
        <Link href={`/posts/${post.id}`}>{post.title}</Link>
      </h2>
      {post.body && <p class="body">{post.body.length > 240 ? `${post.body.slice(0, 240)}…` : post.body}</p>}
      <p class="meta">
        <span>{post.author.display_name || t("a_member")}</span>
        <time dateTime={post.created_at} title={new Date(post.created_at).toLocaleString()}>{ago(post.created_at)}</time>
        {post.distance_m !== undefined && <span>{far(post.distance_m)}</span>}
        {post.reply_count > 0 && <span>{tn("replies", post.reply_count)}</span>}
      </p>
    </article>
  );
}
