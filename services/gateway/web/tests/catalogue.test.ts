// One catalogue per language: the same keys, the same placeholders, nothing empty, every
// key the code names present, and no text a member reads written outside the catalogues.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import ts from "typescript";
import { describe, expect, it } from "vitest";

import { en } from "../src/i18n/en";
import { fr } from "../src/i18n/fr";
import { LANGS } from "../src/i18n";
import { CATEGORIES, OUTCOMES } from "../src/validation";

const SRC = join(import.meta.dirname, "..", "src");
const READ_ATTRIBUTES = new Set(["aria-label", "placeholder", "title", "alt", "label"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "i18n" ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the catalogues", () => {
  it("have the same keys in French and English, none empty, with the same placeholders", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(fr[key].trim(), key).not.toBe("");
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("hold every key the code names", () => {
    const named = new Set<string>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\b(?:t|tn)\(\s*"(\w+)"/g)) named.add(m[1]);
      for (const m of text.matchAll(/key:\s*"(\w+)"/g)) named.add(m[1]);
    }
    // Keys the code builds from a value: a category, an outcome, a post's status, a kind,
    // the connection's status, a language. (Notification codes and error codes are the
    // server's: tests/unit/test_client_catalogue.py checks them.)
    for (const c of CATEGORIES) named.add(`category_${c}`);
    for (const o of OUTCOMES) named.add(`outcome_${o}`);
    for (const s of ["open", "matched", "resolved", "expired", "removed", "withdrawn"]) named.add(`post_status_${s}`);
    for (const k of ["request", "offer"]) named.add(`kind_${k}`).add(`kind_${k}_long`);
    for (const s of ["connecting", "live", "reconnecting", "offline"]) named.add(`status_${s}`);
    for (const l of LANGS) named.add(`language_${l}`);
    const missing = [...named].filter((key) => !(key in en) && !(`${key}_one` in en));
    expect(missing).toEqual([]);
  });

  it("are the only place a member's text is written", () => {
    const found: string[] = [];
    for (const file of sources(SRC).filter((f) => f.endsWith(".tsx"))) {
      const tree = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
      const visit = (node: ts.Node) => {
        // Words in the markup itself, outside any {expression}.
        if (ts.isJsxText(node) && /\p{L}{2,}/u.test(node.text) && node.text.trim() !== "Entraide") {
          found.push(`${file}: ${node.text.trim()}`);
        }
        // Attributes a member reads or hears, given as a literal.
        if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText()) && node.initializer
          && ts.isStringLiteral(node.initializer) && /\p{L}/u.test(node.initializer.text)) {
          found.push(`${file}: ${node.name.getText()}="${node.initializer.text}"`);
        }
        ts.forEachChild(node, visit);
      };
      visit(tree);
    }
    expect(found).toEqual([]);
  });
});
