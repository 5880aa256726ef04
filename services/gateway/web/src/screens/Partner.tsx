import { useEffect, useState } from "preact/hooks";

import type { Delivery, Endpoint, OutcomesOfTheDay } from "../api/resources";
import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Empty, Loading, Problem } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import { CATEGORIES, type Problem as ProblemOf, type Problems } from "../validation";

const MAX_ENDPOINTS = 10;
const OUTCOME_DAYS = 30;
const DAY_MS = 86_400_000;

/** A verified organisation's console: its webhook endpoints (create with filters, pause,
 * delete), their secrets (shown once, rotated), each delivery with its attempts and
 * answer, a replay from any delivery, and a test delivery. */
export function Partner() {
  const app = useApp();
  const { t } = app;
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/partner", true);
    app.api.endpoints().then(setEndpoints, (error) => setProblem(generalProblem(error)));
  }, [reload, app.sessionReady, app.session.account?.id]);
  if (problem) return <Problem problem={problem} retry={() => setReload((n) => n + 1)} />;
  if (!endpoints) return <Loading />;
  const again = () => setReload((n) => n + 1);
  return (
    <section class="partner" aria-labelledby="partner-title">
      <h1 id="partner-title" tabIndex={-1}>{t("partner_title")}</h1>
      <p>{t("partner_intro")}</p>
      {secret && <p class="note secret" role="status">{t("partner_secret_once")} <code>{secret}</code></p>}
      {endpoints.length === 0 && <Empty message={t("partner_empty")} />}
      <ol class="queue">
        {endpoints.map((e) => <EndpointItem key={e.id} endpoint={e} onChange={again} onSecret={setSecret} />)}
      </ol>
      {endpoints.length < MAX_ENDPOINTS
        ? <NewEndpoint onCreated={(s) => { setSecret(s); again(); }} />
        : <p class="note">{t("error_too_many_endpoints", { n: MAX_ENDPOINTS })}</p>}
      <Outcomes />
    </section>
  );
}

function EndpointItem({ endpoint, onChange, onSecret }: { endpoint: Endpoint; onChange(): void; onSecret(s: string): void }) {
  const app = useApp();
  const { t } = app;
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [outcome, setOutcome] = useState<ProblemOf | null>(null);
  const run = async (what: () => Promise<unknown>, done?: ProblemOf) => {
    try {
      await what();
      if (done) setOutcome(done);
      onChange();
    } catch (error) {
      setOutcome(generalProblem(error));
    }
  };
  const show = () => void app.api.deliveries(endpoint.id).then((page) => setDeliveries(page.items), (error) => setOutcome(generalProblem(error)));
  const state = endpoint.enabled ? "partner_state_on" : endpoint.disabled_reason === "paused by the partner" ? "partner_state_paused" : "partner_state_off";
  return (
    <li>
      <p><strong>{endpoint.url}</strong> <span class="tag">{t(state as Key)}</span></p>
      {endpoint.description && <p class="meta">{endpoint.description}</p>}
      <p class="meta">{endpoint.filters.categories.length ? endpoint.filters.categories.map((c) => t(`category_${c}` as Key)).join(", ") : t("partner_all_categories")}</p>
      <div class="actions">
        {endpoint.enabled
          ? <button type="button" onClick={() => void run(() => app.api.endpointAction(endpoint.id, "pause"))}>{t("partner_pause")}</button>
          : <button type="button" onClick={() => void run(() => app.api.endpointAction(endpoint.id, "enable"))}>{t("partner_enable")}</button>}
        <button type="button" onClick={() => void run(() => app.api.endpointAction(endpoint.id, "test"), { key: "partner_test_sent" })}>{t("partner_test")}</button>
        <button type="button" onClick={() => void run(async () => onSecret(String((await app.api.endpointAction(endpoint.id, "rotate-secret")).secret)))}>{t("partner_rotate")}</button>
        <button type="button" onClick={show}>{t("partner_deliveries")}</button>
        <button type="button" class="danger" onClick={() => void run(() => app.api.deleteEndpoint(endpoint.id))}>{t("partner_delete")}</button>
      </div>
      {outcome && <p role="status">{t(outcome.key, outcome.params)}</p>}
      {deliveries && (deliveries.length === 0 ? <p class="meta">{t("partner_no_deliveries")}</p> : (
        <table class="deliveries">
          <thead><tr><th>{t("partner_event")}</th><th>{t("partner_status")}</th><th>{t("partner_attempts")}</th><th>{t("partner_answer")}</th><th /></tr></thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.seq}>
                <td>{d.event_type.replace("org.entraide.", "")}<br /><time class="meta" dateTime={d.created_at}>{app.ago(d.created_at)}</time></td>
                <td>{t(`partner_delivery_${d.status}` as Key)}</td>
                <td>{d.attempts}</td>
                <td>{d.last_status ?? "-"}{d.last_error ? ` (${d.last_error})` : ""}</td>
                <td><button type="button" class="link" onClick={() => void run(() => app.api.replay(endpoint.id, d.seq - 1).then(show), { key: "partner_replayed" })}>{t("partner_replay_from")}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </li>
  );
}

/** What was resolved in the last 30 days, as a funder asks: per day, category, kind and
 * area, a cell shown only when it counts 5 or more (the same figures go to the endpoints
 * each day). */
function Outcomes() {
  const app = useApp();
  const { t } = app;
  const [days, setDays] = useState<OutcomesOfTheDay[] | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  useEffect(() => {
    const today = new Date();
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    const first = new Date(today.getTime() - (OUTCOME_DAYS - 1) * DAY_MS);
    app.api.outcomes(iso(first), iso(today)).then(setDays, (error) => setProblem(generalProblem(error)));
  }, []);
  const rows = (days ?? []).flatMap((d) => d.cells.map((c) => ({ day: d.day, ...c }))).reverse();
  return (
    <section class="outcomes" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">{t("outcomes_title", { n: OUTCOME_DAYS })}</h2>
      <p class="meta">{t("outcomes_intro", { k: days?.[0]?.k_anonymity ?? 5, km: (days?.[0]?.area_size_m ?? 25_000) / 1000 })}</p>
      {problem && <p role="alert" class="form-problem">{t(problem.key, problem.params)}</p>}
      {!days && !problem && <Loading />}
      {days && rows.length === 0 && <p class="meta">{t("outcomes_none")}</p>}
      {rows.length > 0 && (
        <table class="deliveries">
          <thead><tr><th>{t("outcomes_day")}</th><th>{t("outcomes_what")}</th><th>{t("outcomes_area")}</th><th>{t("outcomes_resolved")}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.day}/${r.category}/${r.kind}/${r.area}`}>
                <td><time dateTime={r.day}>{new Date(r.day).toLocaleDateString(app.lang, { timeZone: "UTC", day: "numeric", month: "short" })}</time></td>
                <td>{t(`category_${r.category}` as Key)} · {t(r.kind === "request" ? "kind_request" : "kind_offer")}</td>
                <td>{r.lat.toFixed(2)}, {r.lon.toFixed(2)}</td>
                <td>{r.resolved}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewEndpoint({ onCreated }: { onCreated(secret: string): void }) {
  const app = useApp();
  const { t } = app;
  const [url, setUrl] = useState("https://");
  const [description, setDescription] = useState("");
  const [categories, setCategories] = useState<string[]>([]);
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<ProblemOf | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await app.api.createEndpoint({ url, description, filters: { categories } });
      setUrl("https://");
      setDescription("");
      setCategories([]);
      setProblems({});
      setGeneral(null);
      onCreated(created.secret);
    } catch (error) {
      setProblems(fieldProblems(error));
      setGeneral(generalProblem(error));
    }
  };
  const toggle = (c: string) => setCategories((now) => (now.includes(c) ? now.filter((x) => x !== c) : [...now, c]));
  return (
    <form class="new-endpoint" onSubmit={submit} noValidate>
      <h2>{t("partner_new")}</h2>
      <Field name="url" label={t("partner_url")} problem={problems.url} hint={t("partner_url_hint")}>
        <input {...describedBy("url", problems.url, "hint")} type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </Field>
      <Field name="description" label={t("partner_description")} problem={problems.description}>
        <input {...describedBy("description", problems.description)} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <fieldset>
        <legend>{t("partner_categories")}</legend>
        {CATEGORIES.map((c) => (
          <label key={c} class="check"><input type="checkbox" checked={categories.includes(c)} onChange={() => toggle(c)} /> {t(`category_${c}` as Key)}</label>
        ))}
      </fieldset>
      {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
      <button type="submit" class="primary">{t("partner_create")}</button>
    </form>
  );
}
