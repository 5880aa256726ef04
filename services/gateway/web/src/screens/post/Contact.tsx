import { useState } from "preact/hooks";

import type { Post } from "../../api/resources";
import { useApp } from "../../app";
import { Link } from "../../components/Link";
import { generalProblem } from "../../errors";
import type { Problem as ProblemOf } from "../../validation";

/** Write to the post's author privately (the conversation opens; a second time, the
 * same one). Neither sees the other's e-mail or phone. */
export function Contact({ post }: { post: Post }) {
  const app = useApp();
  const { t } = app;
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  if (!app.session.loggedIn) {
    const here = `/posts/${post.id}`;
    return <p class="contact"><Link href={`/login?next=${encodeURIComponent(here)}`} class="button">{t("contact_log_in", { name: post.author.display_name || t("a_member") })}</Link></p>;
  }
  const contact = async () => {
    try {
      const conversation = await app.api.contact(post.id);
      app.go(`/conversations/${conversation.id}`);
    } catch (error) {
      setProblem(generalProblem(error));
    }
  };
  return (
    <p class="contact">
      <button type="button" class="primary" onClick={() => void contact()}>{t("contact", { name: post.author.display_name || t("a_member") })}</button>
      {problem && <span role="alert"> {t(problem.key, problem.params)}</span>}
    </p>
  );
}
