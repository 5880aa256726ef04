import type { Post } from "../api/resources";
import { useApp } from "../app";
import type { Key } from "../i18n";
import { Link } from "./Link";

/** A post in a list (its title a link to it), or, ``full``, the facts above its own
 * view: the view's heading is its title, and its whole body follows. */
const BODY_SHOWN = 240; // characters of the body in a list: the rest is one tap away

export function PostCard({ post, full = false }: { post: Post; full?: boolean }) {
  const { t, tn, ago, far, api } = useApp();
  return (
    <article class={`card ${post.urgency === "urgent" ? "urgent" : ""}`} aria-labelledby={full ? "post-title" : `title-${post.id}`}>
      <p class="meta">
        <span class={`kind kind-${post.kind}`}>{t(`kind_${post.kind}` as Key)}</span>
        <span>{t(`category_${post.category}` as Key)}</span>
        {post.urgency === "urgent" && <strong class="urgent-tag">{t("urgent")}</strong>}
        {post.status !== "open" && <span class="status-tag">{t(`post_status_${post.status}` as Key)}</span>}
      </p>
      {!full && (
        <h2 id={`title-${post.id}`}>
          <Link href={`/posts/${post.id}`}>{post.title}</Link>
        </h2>
      )}
      {!full && post.photos && post.photos.length > 0 && (
        <img class="card-thumb" src={api.photoUrl(post.photos[0], true)} alt="" loading="lazy" />
      )}
      {full
        ? post.body && <p class="full-body">{post.body}</p>
        : post.body && <p class="body">{post.body.length > BODY_SHOWN ? `${post.body.slice(0, BODY_SHOWN)}…` : post.body}</p>}
      <p class="meta">
        {post.author.id
          ? <Link href={`/members/${post.author.id}`}>{post.author.display_name || t("a_member")}</Link>
          : <span>{post.author.display_name || t("a_member")}</span>}
        {post.author.verified && <span class="tag verified">{t("verified_organisation")}</span>}
        {post.on_behalf_of && <span>{t("on_behalf_shown", { name: post.on_behalf_of })}</span>}
        <time dateTime={post.created_at} title={new Date(post.created_at).toLocaleString()}>{ago(post.created_at)}</time>
        {post.distance_m !== undefined && <span>{far(post.distance_m)}</span>}
        {post.reply_count > 0 && <span>{tn("replies", post.reply_count)}</span>}
      </p>
    </article>
  );
}
