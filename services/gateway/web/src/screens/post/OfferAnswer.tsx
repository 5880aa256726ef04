import { useState } from "preact/hooks";

import type { Post, Reply } from "../../api/resources";
import { useApp } from "../../app";
import { generalProblem } from "../../errors";
import type { Problem as ProblemOf } from "../../validation";

/** On a post an organisation made for a person: that person's answer to an offer, shown
 * to everyone; the organisation records it (accepted or declined, on the person's word)
 * and may change it when the person changes their mind. */
export function OfferAnswer({ post, reply, mine, onDone }: {
  post: Post; reply: Reply; mine: boolean; onDone(r: Reply): void;
}) {
  const app = useApp();
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const name = post.on_behalf_of;
  if (!name || reply.intent !== "can_help") return null;
  const answer = (choice: "accepted" | "declined") =>
    app.api.answerOffer(post.id, reply.id, choice).then(onDone, (error) => setProblem(generalProblem(error)));
  return (
    <div class="offer-answer">
      {reply.answer && (
        <p class={`tag answer-${reply.answer}`}>{app.t(reply.answer === "accepted" ? "offer_accepted" : "offer_declined", { name })}</p>
      )}
      {mine && post.status !== "removed" && (
        <span class="actions" role="group" aria-label={app.t("offer_answer_group", { name })}>
          {reply.answer !== "accepted" && <button type="button" onClick={() => void answer("accepted")}>{app.t("offer_accept", { name })}</button>}
          {reply.answer !== "declined" && <button type="button" onClick={() => void answer("declined")}>{app.t("offer_decline", { name })}</button>}
        </span>
      )}
      {problem && <p class="form-problem" role="alert">{app.t(problem.key, problem.params)}</p>}
    </div>
  );
}
