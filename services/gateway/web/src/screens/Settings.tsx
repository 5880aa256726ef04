import { useEffect, useState } from "preact/hooks";

import type { Preferences } from "../api/resources";
import { useApp } from "../app";
import { SOUND_KEY } from "../components/AlertPrompt";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { type Chosen, PlacePicker } from "../components/PlacePicker";
import { Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import { LANGS } from "../i18n";
import { type Problem as ProblemOf, type Problems, checkPassword } from "../validation";

const ALERT_RADII_M = [200, 500, 1000, 3000, 10000];

/** Languages, quiet hours, the daily cap, the alert radius and the consent to urgent
 * alerts (explained plainly), and the password. */
export function Settings() {
  const app = useApp();
  const { t } = app;
  const account = app.session.account;
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [saveProblem, setSaveProblem] = useState<ProblemOf | null>(null);
  const [saved, setSaved] = useState(false);
  const [reload, setReload] = useState(0);
  const [problems, setProblems] = useState<Problems>({});
  const [languages, setLanguages] = useState<string[]>(account?.languages ?? [app.lang]);
  const [consent, setConsent] = useState(account?.urgent_alerts_consent ?? false);
  // This device only: a sound is a choice of the place one is in, not of the account.
  const [sound, setSound] = useState(localStorage.getItem(SOUND_KEY) === "on");
  const [radius, setRadius] = useState(account?.alert_radius_m ?? 1000);
  const [name, setName] = useState(account?.display_name ?? "");
  const [bio, setBio] = useState(account?.bio ?? "");
  const [home, setHome] = useState<Chosen>(account?.home ? { ...account.home, name: t("home_set") } : null);

  useEffect(() => {
    if (!app.sessionReady) return;
    if (!account) return app.go("/login?next=/settings", true);
    setProblem(null);
    app.api.preferences().then(setPrefs, (error) => setProblem(generalProblem(error)));
  }, [account?.id, reload, app.sessionReady]);
  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!account || !prefs) return <Loading />;

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    try {
      const updated = await app.api.updateMe({ languages, urgent_alerts_consent: consent, alert_radius_m: radius,
        home: home ? { lat: home.lat, lon: home.lon } : null, display_name: name.trim(), bio: bio.trim() });
      app.session.updated(updated);
      await app.api.savePreferences(prefs);
      if (consent && "Notification" in window && Notification.permission === "default") void Notification.requestPermission();
      setProblems({});
      setSaveProblem(null);
      setSaved(true);
    } catch (error) {
      // The form stays as she left it, the reason next to the field at fault.
      setProblems(fieldProblems(error));
      setSaveProblem(generalProblem(error));
    }
  };
  const quiet = prefs.quiet_start !== null;
  return (
    <section class="settings" aria-labelledby="settings-title">
      <h1 id="settings-title" tabIndex={-1}>{t("settings_title")}</h1>
      <EmailStatus />
      <p><Link href="/organisation">{t("organisation_link")}</Link></p>
      <form onSubmit={save} noValidate>
        <fieldset>
          <legend>{t("settings_profile")}</legend>
          <Field name="display_name" label={t("settings_name")} problem={problems.display_name}>
            <input {...describedBy("display_name", problems.display_name)} value={name} maxLength={60}
              onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field name="bio" label={t("settings_bio")} problem={problems.bio} hint={t("settings_bio_hint")}>
            <textarea {...describedBy("bio", problems.bio, "hint")} value={bio} maxLength={500}
              onInput={(e) => setBio(e.currentTarget.value)} />
          </Field>
          <p class="meta"><Link href={`/members/${account.id}`}>{t("settings_see_profile")}</Link></p>
        </fieldset>
        <fieldset>
          <legend>{t("settings_languages")}</legend>
          {LANGS.map((l) => (
            <label class="choice"><input type="checkbox" checked={languages.includes(l)}
              onChange={(e) => setLanguages((ls) => e.currentTarget.checked ? [...ls, l] : ls.filter((x) => x !== l))} />{t(`language_${l}`)}</label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("settings_quiet")}</legend>
          <label class="choice"><input type="checkbox" checked={quiet}
            onChange={(e) => setPrefs({ ...prefs, quiet_start: e.currentTarget.checked ? "22:00" : null, quiet_end: e.currentTarget.checked ? "07:00" : null })} />{t("settings_quiet_on")}</label>
          {quiet && (
            <div class="row">
              <Field name="quiet_start" label={t("settings_quiet_from")} problem={problems.quiet_start}>
                <input {...describedBy("quiet_start", problems.quiet_start)} type="time" value={prefs.quiet_start?.slice(0, 5)} onInput={(e) => setPrefs({ ...prefs, quiet_start: e.currentTarget.value })} />
              </Field>
              <Field name="quiet_end" label={t("settings_quiet_to")} problem={problems.quiet_end}>
                <input {...describedBy("quiet_end", problems.quiet_end)} type="time" value={prefs.quiet_end?.slice(0, 5)} onInput={(e) => setPrefs({ ...prefs, quiet_end: e.currentTarget.value })} />
              </Field>
            </div>
          )}
          <Field name="daily_cap" label={t("settings_daily_cap")} problem={problems.daily_cap} hint={t("settings_daily_cap_hint")}>
            <input {...describedBy("daily_cap", problems.daily_cap, "hint")} type="number" min={1} max={1000} value={prefs.daily_cap ?? ""}
              onInput={(e) => setPrefs({ ...prefs, daily_cap: e.currentTarget.value ? Number(e.currentTarget.value) : null })} />
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t("settings_urgent")}</legend>
          <p class="explain">{t("settings_urgent_explain")}</p>
          <label class="choice"><input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />{t("settings_urgent_consent")}</label>
          <label class="choice"><input type="checkbox" checked={sound}
            onChange={(e) => { const on = e.currentTarget.checked; localStorage.setItem(SOUND_KEY, on ? "on" : "off"); setSound(on); }} />{t("alert_sound")}</label>
          <Field name="alert_radius" label={t("settings_alert_radius")}>
            <select {...describedBy("alert_radius")} value={String(radius)} onChange={(e) => setRadius(Number(e.currentTarget.value))}>
              {ALERT_RADII_M.map((m) => <option value={m}>{m < 1000 ? t("distance_m", { m }) : t("distance_km", { km: m / 1000 })}</option>)}
            </select>
          </Field>
          <PlacePicker label={t("settings_home")} place={home} optional onPlace={(p) => setHome(p ? { lat: p.lat, lon: p.lon, name: p.name } : null)} />
        </fieldset>
        {saveProblem && <p class="form-problem" role="alert">{t(saveProblem.key, saveProblem.params)}</p>}
        <button type="submit" class="primary">{t("save")}</button>
        {saved && <p role="status" class="saved">{t("saved")}</p>}
      </form>
      <PasswordChange />
    </section>
  );
}

function PasswordChange() {
  const app = useApp();
  const { t } = app;
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [result, setResult] = useState<ProblemOf | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Problems = {
      ...(current ? {} : { current_password: { key: "error_required" } }),
      ...checkPassword(next, "new_password"),
    };
    setProblems(found);
    setResult(Object.keys(found).length ? { key: "error_check_fields" } : null);
    if (Object.keys(found).length) return;
    try {
      await app.session.changePassword(current, next);
      setCurrent("");
      setNext("");
      setResult({ key: "password_changed" });
    } catch (error) {
      setProblems(fieldProblems(error));
      setResult(generalProblem(error));
    }
  };
  return (
    <form class="password" onSubmit={submit} noValidate>
      <h2>{t("settings_password")}</h2>
      <Field name="current_password" label={t("field_current_password")} problem={problems.current_password}>
        <input {...describedBy("current_password", problems.current_password)} type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </Field>
      <Field name="new_password" label={t("field_new_password")} hint={t("password_hint")} problem={problems.new_password}>
        <input {...describedBy("new_password", problems.new_password, "hint")} type="password" autoComplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </Field>
      <button type="submit">{t("change_password")}</button>
      {result && <p role="status">{t(result.key, result.params)}</p>}
    </form>
  );
}

/** Whether her address is confirmed; if not, a way to have the link sent again. */
function EmailStatus() {
  const app = useApp();
  const { t } = app;
  const account = app.session.account;
  const [outcome, setOutcome] = useState<ProblemOf | null>(null);
  if (!account || account.email_verified) return null;
  const resend = async () => {
    try {
      await app.api.sendVerification();
      setOutcome({ key: "verify_sent", params: { email: account.email } });
    } catch (error) {
      setOutcome(generalProblem(error));
    }
  };
  return (
    <p class="note email-status">
      {t("email_not_verified", { email: account.email })}{" "}
      <button type="button" class="link" onClick={() => void resend()}>{t("verify_resend")}</button>
      {outcome && <span role="status"> {t(outcome.key, outcome.params)}</span>}
    </p>
  );
}
