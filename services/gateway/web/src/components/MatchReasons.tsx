import type { MatchReason } from "../api/resources";
import { useApp } from "../app";
import type { Key } from "../i18n";

/** Why two posts were matched, as sentences in the reader's language: "Same category",
 * "About 1.2 km apart", "Both mention 'Villette'". */
export function MatchReasons({ reasons, category }: { reasons: MatchReason[]; category: string }) {
  const app = useApp();
  const sentences = reasons
    .filter((r) => r.weight > 0)
    .map((r) => reasonText(app.t, app.lang, r, category))
    .filter(Boolean);
  return (
    <ul class="reasons" aria-label={app.t("match_reasons")}>
      {sentences.map((s) => <li>{s}</li>)}
    </ul>
  );
}

type T = (key: Key, params?: Record<string, string | number>) => string;

export function reasonText(t: T, lang: string, reason: MatchReason, category: string): string {
  switch (reason.factor) {
    case "category":
      return t("reason_category", { category: t(`category_${category}` as Key) });
    case "distance": {
      const km = (reason.distance_m ?? 0) / 1000;
      if (km < 1) return t("reason_distance_close");
      return t("reason_distance", { km: new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(km) });
    }
    case "words": {
      const words = reason.words ?? [];
      const quoted = words.slice(0, 3).map((w) => (lang === "fr" ? `« ${w} »` : `“${w}”`));
      return words.length ? t("reason_words", { words: quoted.join(", ") }) : "";
    }
    case "time":
      return t("reason_time");
    case "language":
      return (reason.languages ?? []).length === 1 ? t("reason_language") : "";
    default:
      return "";
  }
}
