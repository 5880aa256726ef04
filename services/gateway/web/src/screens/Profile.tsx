import { useEffect, useState } from "preact/hooks";

import type { PublicProfile } from "../api/resources";
import { useApp } from "../app";
import { Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import { type Key, hasKey } from "../i18n";
import type { Problem as ProblemOf } from "../validation";

/** A member's public profile, from any post, reply or search: who they are in their own
 * words, since when, and what came of their requests and offers. */
export function MemberProfile({ id }: { id: string }) {
  const app = useApp();
  const { t, tn } = app;
  const [profile, setProfile] = useState<PublicProfile | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [reload, setReload] = useState(0);
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
      <p class="meta">{t("profile_since", { date: since })}</p>
      {profile.bio ? <p class="profile-bio">{profile.bio}</p> : <p class="meta">{t("profile_no_bio")}</p>}
      <ul class="profile-figures">
        <li>{tn("profile_requests_resolved", profile.requests_resolved)}</li>
        <li>{tn("profile_offers_resolved", profile.offers_resolved)}</li>
        <li>{tn("profile_helped", profile.helped)}</li>
      </ul>
      {languages.length > 0 && <p>{t("profile_languages", { languages: languages.join(", ") })}</p>}
    </section>
  );
}
