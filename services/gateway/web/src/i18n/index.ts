// One catalogue per language (en.ts, fr.ts: the same keys, checked by the compiler and
// by tests/catalogue.test.ts), plurals by Intl.PluralRules, relative times and rounded
// distances in the reader's language.

import { en } from "./en";
import { fr } from "./fr";

export type Lang = "en" | "fr";
export type Key = keyof typeof en;
export type Params = Record<string, string | number>;
export const LANGS: Lang[] = ["fr", "en"];
export const CATALOGUES: Record<Lang, Record<Key, string>> = { en, fr };

export function interpolate(text: string, params: Params = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function translate(lang: Lang, key: Key, params?: Params): string {
  return interpolate(CATALOGUES[lang][key] ?? CATALOGUES.en[key] ?? key, params);
}

/** A key with a plural form: ``key_one`` and ``key_other`` in the catalogue. */
export function plural(lang: Lang, key: string, count: number, params: Params = {}): string {
  const form = new Intl.PluralRules(lang).select(count) === "one" ? "one" : "other";
  return translate(lang, `${key}_${form}` as Key, { n: count, ...params });
}

export function hasKey(key: string): key is Key {
  return key in en;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600], ["month", 30 * 24 * 3600], ["week", 7 * 24 * 3600],
  ["day", 24 * 3600], ["hour", 3600], ["minute", 60], ["second", 1],
];

/** "il y a 5 minutes", "in 3 days": the largest unit that fits. */
export function relativeTime(lang: Lang, iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return format.format(0, "second");
}

/** Rounded on purpose (a public location is a ~1 km cell): "under 1 km", "3 km", "25 km". */
export function distance(lang: Lang, metres: number): string {
  if (metres < 1000) return translate(lang, "distance_under_1km");
  const km = metres < 10_000 ? Math.round(metres / 1000) : Math.round(metres / 5000) * 5;
  return translate(lang, "distance_km", { km: new Intl.NumberFormat(lang).format(km) });
}

export function preferredLang(): Lang {
  const stored = localStorage.getItem("lang");
  if (stored === "en" || stored === "fr") return stored;
  return (navigator.language || "fr").toLowerCase().startsWith("en") ? "en" : "fr";
}
