// The feed's state, pure: filters to and from the URL, which live events change the
// list, and how. Tested by tests/feed.test.ts.

import type { FeedFilters, Post } from "../api/resources";
import type { LiveEvent } from "../live/socket";

const EARTH_RADIUS_M = 6_371_008.8;
const CLOSING = ["post.resolved", "post.expired", "post.removed", "post.withdrawn"];

export function filtersOf(query: URLSearchParams): FeedFilters & { place?: string } {
  const number = (name: string) => {
    const value = query.get(name);
    return value !== null && value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
  };
  return {
    kind: query.get("kind") || undefined,
    category: query.get("category") || undefined,
    q: query.get("q") || undefined,
    lat: number("lat"),
    lon: number("lon"),
    within_m: number("within_m"),
    place: query.get("place") || undefined,
  };
}

export function queryOf(filters: FeedFilters & { place?: string }): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "" && value !== null) query.set(name, String(value));
  }
  return query;
}

export function metresBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dlat = (b.lat - a.lat) * rad;
  const dlon = (b.lon - a.lon) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** What the server's feed query would keep. Words as PostgreSQL's "simple" text search
 * takes them: whole words, case aside, accents kept; every word of the query. */
export function accepts(post: Post, filters: FeedFilters): boolean {
  if (post.status !== "open") return false;
  if (filters.kind && post.kind !== filters.kind) return false;
  if (filters.category && post.category !== filters.category) return false;
  if (filters.lat !== undefined && filters.lon !== undefined) {
    const within = filters.within_m ?? 10_000;
    if (metresBetween({ lat: filters.lat, lon: filters.lon }, post.location) > within) return false;
  }
  if (filters.q) {
    const have = new Set(words(`${post.title} ${post.body}`));
    if (!words(filters.q).every((word) => have.has(word))) return false;
  }
  return true;
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** A post as the feed shows it, from a live event's public projection. */
export function postOf(data: Record<string, unknown>, filters: FeedFilters): Post {
  const p = data.post as Record<string, unknown>;
  const location = p.location as { lat: number; lon: number; precision_m: number };
  const post: Post = {
    id: String(p.post_id),
    author: { id: String(p.author_id), display_name: String(p.author_name ?? "") },
    kind: p.kind as Post["kind"],
    category: String(p.category),
    title: String(p.title),
    body: String(p.body ?? ""),
    language: String(p.language),
    location,
    radius_m: Number(p.radius_m),
    urgency: p.urgency as Post["urgency"],
    status: "open",
    outcome: null,
    reply_count: 0,
    expires_at: String(p.expires_at),
    created_at: String(p.created_at),
    updated_at: String(p.updated_at),
  };
  if (filters.lat !== undefined && filters.lon !== undefined) {
    post.distance_m = metresBetween({ lat: filters.lat, lon: filters.lon }, location);
  }
  return post;
}

/** The list after one live event: a new post that passes the filters at the top, an
 * edit in place (or out, if it no longer passes), a closed post out. */
export function applyEvent(shown: Post[], event: LiveEvent, filters: FeedFilters): Post[] {
  const type = event.type;
  const postId = String(event.data.post_id ?? "");
  // A post a moderator restored comes back as it was.
  if (type.includes("post.created") || type.includes("post.restored")) {
    const post = postOf(event.data, filters);
    if (shown.some((p) => p.id === post.id) || !accepts(post, filters)) return shown;
    return [post, ...shown];
  }
  if (type.includes("post.updated")) {
    const updated = postOf(event.data, filters);
    const at = shown.findIndex((p) => p.id === postId);
    if (at < 0) return accepts(updated, filters) ? [updated, ...shown] : shown;
    const merged = { ...shown[at], ...updated, author: shown[at].author.display_name ? shown[at].author : updated.author, reply_count: shown[at].reply_count };
    return accepts(merged, filters) ? shown.map((p, i) => (i === at ? merged : p)) : shown.filter((_, i) => i !== at);
  }
  if (CLOSING.some((kind) => type.includes(kind))) return shown.filter((p) => p.id !== postId);
  return shown;
}
