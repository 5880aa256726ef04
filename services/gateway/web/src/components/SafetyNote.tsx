import { useApp } from "../app";

/** Shown in a conversation once a message arranges a meeting: how to meet safely. */
export function SafetyNote() {
  const { t } = useApp();
  return (
    <aside class="safety-note" role="note" aria-labelledby="safety-title">
      <h2 id="safety-title">{t("safety_title")}</h2>
      <ul>
        <li>{t("safety_public_place")}</li>
        <li>{t("safety_tell_someone")}</li>
        <li>{t("safety_no_money")}</li>
        <li>{t("safety_report")}</li>
      </ul>
    </aside>
  );
}
