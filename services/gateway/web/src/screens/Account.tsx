import { useState } from "preact/hooks";

import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { fieldProblems, generalProblem } from "../errors";
import { type Problem, type Problems, checkAccount, checkEmail } from "../validation";

export function LogIn({ next }: { next: string }) {
  const app = useApp();
  const { t } = app;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [general, setGeneral] = useState<Problem | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Problems = { ...checkEmail(email), ...(password ? {} : { password: { key: "error_required" } }) };
    setProblems(found);
    if (Object.keys(found).length) return setGeneral({ key: "error_check_fields" });
    try {
      await app.session.logIn(email, password);
      app.go(next, true);
    } catch (error) {
      const problem = generalProblem(error);
      setGeneral(problem.key === "error_session_over" ? { key: "error_wrong_login" } : problem);
    }
  };
  const suspended = new URLSearchParams(location.search).has("suspended");
  return (
    <section class="account" aria-labelledby="login-title">
      <h1 id="login-title" tabIndex={-1}>{t("log_in")}</h1>
      {suspended && <p class="state problem" role="alert">{t("account_suspended")}</p>}
      <form onSubmit={submit} noValidate>
        <Field name="email" label={t("field_email")} problem={problems.email}>
          <input {...describedBy("email", problems.email)} type="email" autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field name="password" label={t("field_password")} problem={problems.password}>
          <input {...describedBy("password", problems.password)} type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
        <button type="submit" class="primary">{t("log_in")}</button>
      </form>
      <p><Link href="/password-reset">{t("forgot_password")}</Link></p>
      <p>{t("no_account")} <Link href={`/register?next=${encodeURIComponent(next)}`}>{t("register")}</Link></p>
    </section>
  );
}

export function Register({ next }: { next: string }) {
  const app = useApp();
  const { t } = app;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<Problem | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkAccount(email, password, name);
    setProblems(found);
    if (Object.keys(found).length) return setGeneral({ key: "error_check_fields" });
    try {
      await app.api.register({ email, password, display_name: name.trim(), languages: [app.lang] });
      await app.session.logIn(email, password);
      app.go(next === "/" ? "/settings?welcome=1" : next, true);
    } catch (error) {
      setProblems(fieldProblems(error));
      const problem = generalProblem(error);
      setGeneral(problem.key === "error_conflict" ? { key: "error_email_taken" } : problem);
    }
  };
  return (
    <section class="account" aria-labelledby="register-title">
      <h1 id="register-title" tabIndex={-1}>{t("register")}</h1>
      <form onSubmit={submit} noValidate>
        <Field name="display_name" label={t("field_display_name")} problem={problems.display_name} hint={t("display_name_hint")}>
          <input {...describedBy("display_name", problems.display_name, "hint")} type="text" autoComplete="nickname" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field name="email" label={t("field_email")} problem={problems.email} hint={t("email_hint")}>
          <input {...describedBy("email", problems.email, "hint")} type="email" autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field name="password" label={t("field_password")} problem={problems.password} hint={t("password_hint")}>
          <input {...describedBy("password", problems.password, "hint")} type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
        <button type="submit" class="primary">{t("register")}</button>
      </form>
      <p>{t("have_account")} <Link href={`/login?next=${encodeURIComponent(next)}`}>{t("log_in")}</Link></p>
    </section>
  );
}
