import { describe, expect, it } from "vitest";

import type { Post } from "../src/api/resources";
import { accepts, applyEvent, filtersOf, queryOf } from "../src/screens/feed-state";
import type { LiveEvent } from "../src/live/socket";

const PARIS = { lat: 48.8566, lon: 2.3522 };

function created(id: string, changes: Record<string, unknown> = {}): LiveEvent {
  return {
    type: "org.entraide.post.created.v1", id: `e-${id}`, time: "",
    data: { post_id: id, post: {
      post_id: id, author_id: "u1", author_name: "Léa", kind: "offer", category: "housing",
      title: "Un lit pour ce soir", body: "À la Villette", language: "fr",
      location: { ...PARIS, precision_m: 1000 }, radius_m: 2000, urgency: "normal",
      expires_at: "2026-12-31T00:00:00Z", created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z",
      ...changes,
    } },
  };
}

describe("the feed's filters", () => {
  it("go to and from the URL", () => {
    const filters = filtersOf(new URLSearchParams("kind=offer&category=housing&q=lit&lat=48.85&lon=2.35&within_m=5000"));
    expect(filters).toMatchObject({ kind: "offer", category: "housing", q: "lit", lat: 48.85, lon: 2.35, within_m: 5000 });
    expect(filtersOf(queryOf(filters))).toEqual(filters);
    expect(filtersOf(new URLSearchParams("lat=north"))).toMatchObject({ lat: undefined });
  });

  it("keep a live post out that the server's query would not list", () => {
    const post = applyEvent([], created("p1"), {})[0];
    expect(accepts(post, { kind: "offer", category: "housing" })).toBe(true);
    expect(accepts(post, { kind: "request" })).toBe(false);
    expect(accepts(post, { q: "villette LIT" })).toBe(true); // every word, case aside
    expect(accepts(post, { q: "voiture" })).toBe(false);
    expect(accepts(post, { q: "vil" })).toBe(false); // whole words, as the server's search
    expect(accepts(post, { q: "a la" })).toBe(false); // "À" is not "a" there either
    expect(accepts(post, { lat: 45.76, lon: 4.84, within_m: 10_000 })).toBe(false); // Lyon
    expect(accepts(post, { lat: 48.86, lon: 2.35, within_m: 10_000 })).toBe(true);
  });
});

describe("a live event", () => {
  it("adds a new post on top with its author's name, once", () => {
    let shown: Post[] = [];
    shown = applyEvent(shown, created("p1"), {});
    shown = applyEvent(shown, created("p2"), {});
    shown = applyEvent(shown, created("p1"), {});
    expect(shown.map((p) => p.id)).toEqual(["p2", "p1"]);
    expect(shown[0].author.display_name).toBe("Léa");
  });

  it("edits a post in place, or takes it out when it no longer passes", () => {
    let shown = applyEvent([], created("p1"), { category: "housing" });
    const edit = { ...created("p1", { title: "Deux lits" }), type: "org.entraide.post.updated.v1" };
    shown = applyEvent(shown, edit, { category: "housing" });
    expect(shown.map((p) => p.title)).toEqual(["Deux lits"]);
    const moved = { ...created("p1", { category: "goods" }), type: "org.entraide.post.updated.v1" };
    expect(applyEvent(shown, moved, { category: "housing" })).toEqual([]);
  });

  it("takes a resolved, expired, removed or withdrawn post out", () => {
    for (const end of ["resolved", "expired", "removed", "withdrawn"]) {
      const shown = applyEvent([], created("p1"), {});
      const closed = { type: `org.entraide.post.${end}.v1`, id: `x-${end}`, time: "", data: { post_id: "p1" } };
      expect(applyEvent(shown, closed, {})).toEqual([]);
    }
  });
});
