import { useEffect, useState } from "preact/hooks";

import type { OrganisationApplication } from "../api/resources";
import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Loading } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import type { Key } from "../i18n";
import { type Problem as ProblemOf, type Problems, checkText } from "../validation";

const KINDS = ["association", "public_service", "employer"];
const EMPTY: OrganisationApplication = { name: "", kind: "association", registration_number: "", website: "https://", contact: "" };

/** An association, a public service or an employer applies; a moderator verifies it
 * (its registration number), and its badge shows on its posts and profile. */
export function OrganisationScreen() {
  const app = useApp();
  const { t } = app;
  const [current, setCurrent] = useState<OrganisationApplication | null | undefined>(undefined);
  const [form, setForm] = useState<OrganisationApplication>(EMPTY);
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<ProblemOf | null>(null);
  useEffect(() => {
    if (!app.sessionReady) return;
    if (!app.session.loggedIn) return app.go("/login?next=/organisation", true);
    app.api.myOrganisation().then(setCurrent, () => setCurrent(null));  // null: not applied
  }, [app.sessionReady, app.session.account?.id]);
  if (current === undefined) return <Loading />;
  const set = (name: keyof OrganisationApplication) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [name]: e.currentTarget.value });
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = { ...checkText(form.name, 120, "name"), ...checkText(form.registration_number, 30, "registration_number"),
      ...checkText(form.contact, 200, "contact") };
    setProblems(found);
    if (Object.keys(found).length) return setGeneral({ key: "error_check_fields" });
    try {
      setCurrent(await app.api.applyAsOrganisation(form));
    } catch (error) {
      setProblems(fieldProblems(error));
      setGeneral(generalProblem(error));
    }
  };
  const pending = current && current.status !== "refused";
  return (
    <section class="account" aria-labelledby="organisation-title">
      <h1 id="organisation-title" tabIndex={-1}>{t("organisation_title")}</h1>
      {current && <p role="status" class="note">{t(`organisation_status_${current.status}` as Key, { name: current.name })}</p>}
      {!pending && (
        <form onSubmit={submit} noValidate>
          <p>{t("organisation_intro")}</p>
          <Field name="name" label={t("organisation_name")} problem={problems.name}>
            <input {...describedBy("name", problems.name)} value={form.name} onInput={set("name")} />
          </Field>
          <Field name="kind" label={t("organisation_kind")} problem={problems.kind}>
            <select {...describedBy("kind", problems.kind)} value={form.kind} onChange={set("kind")}>
              {KINDS.map((k) => <option key={k} value={k}>{t(`organisation_kind_${k}` as Key)}</option>)}
            </select>
          </Field>
          <Field name="registration_number" label={t("organisation_number")} hint={t("organisation_number_hint")} problem={problems.registration_number}>
            <input {...describedBy("registration_number", problems.registration_number, "hint")} value={form.registration_number} onInput={set("registration_number")} />
          </Field>
          <Field name="website" label={t("organisation_website")} problem={problems.website}>
            <input {...describedBy("website", problems.website)} type="url" value={form.website} onInput={set("website")} />
          </Field>
          <Field name="contact" label={t("organisation_contact")} problem={problems.contact}>
            <input {...describedBy("contact", problems.contact)} value={form.contact} onInput={set("contact")} />
          </Field>
          {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
          <button type="submit" class="primary">{t("organisation_apply")}</button>
        </form>
      )}
    </section>
  );
}
