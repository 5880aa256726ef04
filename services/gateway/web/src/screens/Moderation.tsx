import { useEffect, useState } from "preact/hooks";

import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { Empty, Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import { LIMITS, type Problem as ProblemOf, type Problems, checkText } from "../validation";

interface Queue {
  organisations: { account_id: string; name: string; kind: string; registration_number: string; website: string; contact: string }[];
  appeals: { post_id: string; title: string; text: string; status: string; decided: string | null; decided_because: string | null }[];
  posts: { id: string; title: string; body: string; status: string; author_id: string; author_name: string; reports: number; weight: number; reasons: string[]; alert_lives: boolean }[];
  conversations: { conversation_id: string; message_id: string | null; reported_id: string; reported_name: string; reason: string; message: string | null }[];
  members: { member_id: string; display_name: string; member_since: string; suspended: boolean; reports: number; reasons: string[]; posts: number }[];
}

/** The moderators' queue: appeals, then reported posts (an urgent one whose alert lives
 * first, then by the reports' weight), then reported conversations; each decision with
 * a reason, in the audit log. */
export function Moderation() {
  const app = useApp();
  const { t } = app;
  const [queue, setQueue] = useState<Queue | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/moderation", true);
    app.api.moderationQueue().then((q) => setQueue(q as Queue), (error) => setProblem(generalProblem(error)));
  }, [reload, app.sessionReady, app.session.account?.id]);
  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!queue) return <Loading />;
  const again = () => setReload((n) => n + 1);
  const empty = !queue.appeals.length && !queue.posts.length && !queue.conversations.length && !queue.organisations.length && !queue.members.length;
  return (
    <section class="moderation" aria-labelledby="moderation-title">
      <h1 id="moderation-title" tabIndex={-1}>{t("moderation_title")}</h1>
      {empty && <Empty message={t("moderation_empty")} />}
      {queue.organisations.length > 0 && <h2>{t("moderation_organisations")}</h2>}
      <ol class="queue">
        {queue.organisations.map((o) => (
          <li key={`organisation-${o.account_id}`}>
            <p><Link href={`/members/${o.account_id}`}>{o.name}</Link> <span class="tag">{t(`organisation_kind_${o.kind}` as Key)}</span></p>
            <p class="meta">{t("organisation_registration", { number: o.registration_number })} · <a href={o.website} rel="noopener noreferrer" target="_blank">{o.website}</a> · {o.contact}</p>
            <Decide onDone={again} actions={[["verify", "moderation_verify"], ["refuse", "moderation_refuse"]]}
              decide={(action, reason) => app.api.decideOrganisation(o.account_id, action, reason)} />
          </li>
        ))}
      </ol>
      {queue.appeals.length > 0 && <h2>{t("moderation_appeals")}</h2>}
      <ol class="queue">
        {queue.appeals.map((a) => (
          <li key={`appeal-${a.post_id}`}>
            <p><Link href={`/posts/${a.post_id}`}>{a.title}</Link> <span class="tag">{t(`post_status_${a.status}` as Key)}</span></p>
            <p class="quote">{t("moderation_appeal_says", { text: a.text })}</p>
            {a.decided_because && <p class="meta">{t("moderation_decided_because", { reason: a.decided_because })}</p>}
            <Decide onDone={again} actions={[["restore", "moderation_restore"], ["dismiss", "moderation_keep_removed"]]}
              decide={(action, reason) => app.api.decidePost(a.post_id, action, reason)} />
          </li>
        ))}
      </ol>
      {queue.posts.length > 0 && <h2>{t("moderation_posts")}</h2>}
      <ol class="queue">
        {queue.posts.map((p) => (
          <li key={`post-${p.id}`} class={p.alert_lives ? "urgent" : ""}>
            <p><Link href={`/posts/${p.id}`}>{p.title}</Link> <span class="tag">{t(`post_status_${p.status}` as Key)}</span>
              {p.alert_lives && <span class="tag urgent">{t("moderation_alert_lives")}</span>}</p>
            <p class="meta">{t("moderation_by", { name: p.author_name })} · {app.tn("moderation_reports", p.reports, { weight: p.weight.toFixed(2) })}</p>
            <ul>{p.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
            <Decide onDone={again}
              actions={p.status === "removed" ? [["restore", "moderation_restore"], ["dismiss", "moderation_keep_removed"]]
                : [["remove", "moderation_remove"], ["dismiss", "moderation_dismiss"]]}
              decide={(action, reason) => app.api.decidePost(p.id, action, reason)} />
          </li>
        ))}
      </ol>
      {queue.conversations.length > 0 && <h2>{t("moderation_conversations")}</h2>}
      <ol class="queue">
        {queue.conversations.map((c) => (
          <li key={`conversation-${c.conversation_id}-${c.message_id ?? ""}`}>
            <p><Link href={`/members/${c.reported_id}`}>{c.reported_name}</Link></p>
            {c.message && <p class="quote">{c.message}</p>}
            <p class="meta">{t("moderation_report_reason", { reason: c.reason })}</p>
            <Decide onDone={again} actions={[["dismiss", "moderation_looked_at"]]}
              decide={(_, reason) => app.api.dismissConversation(c.conversation_id, reason)} />
          </li>
        ))}
      </ol>
      {queue.members.length > 0 && <h2>{t("moderation_members")}</h2>}
      <ol class="queue">
        {queue.members.map((m) => (
          <li key={`member-${m.member_id}`}>
            <p><Link href={`/members/${m.member_id}`}>{m.display_name}</Link>
              {m.suspended && <span class="tag urgent">{t("moderation_suspended")}</span>}</p>
            <p class="meta">{t("moderation_member_since", { when: app.ago(m.member_since) })} · {app.tn("moderation_member_posts", m.posts)} · {app.tn("moderation_reports_plain", m.reports)}</p>
            <ul>{m.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
            <Decide onDone={again}
              actions={m.suspended ? [["dismiss", "moderation_looked_at"]] : [["suspend", "moderation_suspend_member"], ["dismiss", "moderation_looked_at"]]}
              decide={(action, reason) => action === "suspend" ? app.api.suspend(m.member_id, reason) : app.api.dismissMember(m.member_id, reason)} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function Decide({ actions, decide, onDone }: {
  actions: [string, Key][]; decide(action: string, reason: string): Promise<void>; onDone(): void;
}) {
  const app = useApp();
  const { t } = app;
  const [reason, setReason] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [outcome, setOutcome] = useState<ProblemOf | null>(null);
  const [id] = useState(() => Math.random().toString(36).slice(2, 8));
  const run = async (action: string) => {
    const found = checkText(reason, LIMITS.reportMax, "reason");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await decide(action, reason);
      onDone();
    } catch (error) {
      setProblems(fieldProblems(error));
      setOutcome(generalProblem(error));
    }
  };
  return (
    <div class="decide">
      <Field name={`reason-${id}`} label={t("moderate_reason")} problem={problems.reason}>
        <textarea {...describedBy(`reason-${id}`, problems.reason)} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        {actions.map(([action, label]) => <button key={action} type="button" onClick={() => void run(action)}>{t(label)}</button>)}
      </div>
      {outcome && <p role="alert">{t(outcome.key, outcome.params)}</p>}
    </div>
  );
}
