import { useEffect, useState } from "preact/hooks";

import { useApp } from "../app";
import { Field, describedBy } from "../components/Field";
import { Link } from "../components/Link";
import { Loading } from "../components/States";
import { fieldProblems, generalProblem } from "../errors";
import { type Problem, type Problems, checkEmail, checkPassword } from "../validation";

/** A forgotten password: ask for a link by e-mail, then (the link opened) choose a new
 * one. The first answer is the same whether or not the address is a member's. */
export function PasswordReset({ token }: { token: string | null }) {
  return token ? <ChooseNew token={token} /> : <AskForLink />;
}

function AskForLink() {
  const app = useApp();
  const { t } = app;
  const [email, setEmail] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<Problem | null>(null);
  const [sent, setSent] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkEmail(email);
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await app.api.requestReset(email);
      setSent(true);
    } catch (error) {
      setGeneral(generalProblem(error));
    }
  };
  return (
    <section class="account" aria-labelledby="reset-title">
      <h1 id="reset-title" tabIndex={-1}>{t("reset_title")}</h1>
      {sent ? <p role="status">{t("reset_sent", { email })}</p> : (
        <form onSubmit={submit} noValidate>
          <p>{t("reset_intro")}</p>
          <Field name="email" label={t("field_email")} problem={problems.email}>
            <input {...describedBy("email", problems.email)} type="email" autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </Field>
          {general && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
          <button type="submit" class="primary">{t("reset_send")}</button>
        </form>
      )}
      <p><Link href="/login">{t("log_in")}</Link></p>
    </section>
  );
}

function ChooseNew({ token }: { token: string }) {
  const app = useApp();
  const { t } = app;
  const [password, setPassword] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<Problem | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checkPassword(password, "new_password");
    setProblems(found);
    if (Object.keys(found).length) return;
    try {
      await app.api.resetPassword(token, password);
      setDone(true);
    } catch (error) {
      setProblems(fieldProblems(error));
      setGeneral(generalProblem(error));
    }
  };
  return (
    <section class="account" aria-labelledby="reset-title">
      <h1 id="reset-title" tabIndex={-1}>{t("reset_choose_title")}</h1>
      {done ? <p role="status">{t("reset_done")} <Link href="/login">{t("log_in")}</Link></p> : (
        <form onSubmit={submit} noValidate>
          <Field name="new_password" label={t("field_new_password")} problem={problems.new_password ?? problems.token} hint={t("password_hint")}>
            <input {...describedBy("new_password", problems.new_password ?? problems.token, "hint")} type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </Field>
          {general && !problems.token && <p class="form-problem" role="alert">{t(general.key, general.params)}</p>}
          {problems.token && <p><Link href="/password-reset">{t("reset_ask_again")}</Link></p>}
          <button type="submit" class="primary">{t("reset_save")}</button>
        </form>
      )}
    </section>
  );
}

/** The link of the verification mail: confirms the address as the page opens. */
export function VerifyEmail({ token }: { token: string | null }) {
  const app = useApp();
  const { t } = app;
  const [outcome, setOutcome] = useState<Problem | null>(null);
  useEffect(() => {
    if (!token) return setOutcome({ key: "error_link_expired" });
    app.api.verifyEmail(token).then(
      () => setOutcome({ key: "verify_done" }),
      (error) => setOutcome(fieldProblems(error).token ?? generalProblem(error)),
    );
  }, [token]);
  return (
    <section class="account" aria-labelledby="verify-title">
      <h1 id="verify-title" tabIndex={-1}>{t("verify_title")}</h1>
      {outcome ? <p role="status">{t(outcome.key, outcome.params)}</p> : <Loading />}
      <p><Link href="/">{t("back_to_feed")}</Link></p>
    </section>
  );
}
