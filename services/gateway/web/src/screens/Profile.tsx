import { useEffect, useState } from "preact/hooks";


import type { PublicProfile } from "../api/resources";
import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import { type Key, hasKey } from "../i18n";
import { LIMITS, type Problem as ProblemOf, type Problems, checkText } from "../validation";
import { ReportForm } from "./post/Report";

/** A member's public profile, from any post, reply or search: who they are in their own
 * words, since when, and what came of their requests and offers. */
export function MemberProfile({ id }: { id: string }) {
  const app = useApp();
  const { t, tn } = app;
  const [profile, setProfile] = useState<PublicProfile | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
  const [reporting, setReporting] = useState(false);
  useEffect(() => {
    setProblem(null);
    app.api.profile(id).then(setProfile, (error) => setProblem(generalProblem(error)));
  }, [id, reload]);
  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!profile) return <Loading />;
  const since = new Intl.DateTimeFormat(app.lang, { month: "long", year: "numeric" }).format(new Date(profile.member_since));
  const languages = profile.languages.map((l) => (hasKey(`language_${l}`) ? t(`language_${l}` as Key) : l));
  return (
    <section class="profile" aria-labelledby="profile-name">
      <h1 id="profile-name" tabIndex={-1}>{profile.display_name}</h1>
      {profile.organisation && <p><span class="tag verified">{t("verified_organisation")}</span> {t(`organisation_kind_${profile.organisation.kind}` as Key)} · {profile.organisation.name}</p>}
      <p class="meta">{t("profile_since", { date: since })}</p>
      {profile.bio ? <p class="profile-bio">{profile.bio}</p> : <p class="meta">{t("profile_no_bio")}</p>}
      <ul class="profile-figures">
        <li>{tn("profile_requests_resolved", profile.requests_resolved)}</li>
        <li>{tn("profile_offers_resolved", profile.offers_resolved)}</li>
        <li>{tn("profile_helped", profile.helped)}</li>
      </ul>
      {languages.length > 0 && <p>{t("profile_languages", { languages: languages.join(", ") })}</p>}
      {profile.suspended && <p class="state">{t("profile_suspended")}</p>}
      {app.session.loggedIn && app.session.account?.id !== profile.id && (reporting
        ? <ReportForm label={"report_member_reason"} send={(reason) => app.api.reportMember(profile.id, reason)} onDone={() => setReporting(false)} />
        : <button type="button" class="link" onClick={() => setReporting(true)}>{t("report_member")}</button>)}
      {app.session.account?.role === "moderator" && app.session.account.id !== profile.id && (
        <Moderate profile={profile} onDone={() => setReload((n) => n + 1)} />
      )}
    </section>
  );
}

/** A moderator's decisions about this member, each with a reason (the audit log). */
function Moderate({ profile, onDone }: { profile: PublicProfile; onDone(): void }) {
  const app = useApp();
  const { t } = app;
  const [reason, setReason] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [outcome, setOutcome] = useState<ProblemOf | null>(null);
  const decide = async (what: "suspend" | "reinstate" | "moderator") => {
    const found = checkText(reason, LIMITS.reportMax, "reason");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      if (what === "suspend") await app.api.suspend(profile.id, reason);
      else if (what === "reinstate") await app.api.reinstate(profile.id, reason);
      else await app.api.grantRole(profile.id, "moderator", reason);
      setOutcome({ key: "moderate_done" });
      setReason("");
      onDone();
    } catch (error) {
      setProblems(fieldProblems(error));
      setOutcome(generalProblem(error));
    }
  };
  return (
    <section class="moderate" aria-labelledby="moderate-title">
      <h2 id="moderate-title">{t("moderate_title")}</h2>
      <Field name="reason" label={t("moderate_reason")} problem={problems.reason}>
        <textarea {...describedBy("reason", problems.reason)} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        {profile.suspended
          ? <button type="button" onClick={() => void decide("reinstate")}>{t("moderate_reinstate")}</button>
          : <button type="button" class="danger" onClick={() => void decide("suspend")}>{t("moderate_suspend")}</button>}
        <button type="button" onClick={() => void decide("moderator")}>{t("moderate_make_moderator")}</button>
      </div>
      {outcome && <p role="status">{t(outcome.key, outcome.params)}</p>}
    </section>
  );
}
