import { useEffect, useRef, useState } from "preact/hooks";

import type { FeedFilters, Place, Post } from "../api/resources";
import { useApp } from "../app";
import { PlacePicker } from "../components/PlacePicker";
import { PostCard } from "../components/PostCard";
import { Empty, Loading, Problem } from "../components/States";
import { generalProblem } from "../errors";
import type { Key } from "../i18n";
import { type LiveEvent } from "../live/socket";
import { CATEGORIES, LIMITS, type Problem as ProblemOf, length } from "../validation";
import { accepts, applyEvent, filtersOf, queryOf } from "./feed-state";

const RADII_KM = [1, 5, 10, 25, 100];

/** The live feed: filters kept in the URL and applied by the server, more on scroll,
 * live posts that pass the same filters. */
export function Feed({ query }: { query: URLSearchParams }) {
  const app = useApp();
  const { t } = app;
  const filters = filtersOf(query);
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemOf | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [reload, setReload] = useState(0);
  const [words, setWords] = useState(filters.q ?? "");
  const [wordsProblem, setWordsProblem] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const key = queryOf(filters).toString();

  useEffect(() => {
    // After the session is known: a member's feed leaves out the members she blocked.
    if (!app.sessionReady) return;
    setPosts(null);
    setProblem(null);
    let cancelled = false;
    app.api.feed(filters, null).then(
      (page) => !cancelled && (setPosts(page.items), setCursor(page.next_cursor)),
      (error) => !cancelled && setProblem(generalProblem(error)),
    );
    // Live: the server filters by area; kind, category and words are checked here too.
    app.live.subscribe("feed", { filters: liveFilters(filters) });
    const off = app.listen(
      "feed",
      (event: LiveEvent) => setPosts((shown) => shown && applyEvent(shown, event, filters).filter((p) => !app.blocked.has(p.author.id))),
      () => setReload((n) => n + 1),
    );
    return () => {
      cancelled = true;
      off();
    };
  }, [key, reload, app.sessionReady, app.session.account?.id]);

  const more = () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    app.api.feed(filters, cursor).then(
      (page) => {
        setPosts((shown) => [...(shown ?? []), ...page.items.filter((p) => !shown?.some((s) => s.id === p.id))]);
        setCursor(page.next_cursor);
      },
      (error) => setProblem(generalProblem(error)),
    ).finally(() => setLoadingMore(false));
  };

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !("IntersectionObserver" in window)) return;
    const watcher = new IntersectionObserver((seen) => seen.some((s) => s.isIntersecting) && more());
    watcher.observe(target);
    return () => watcher.disconnect();
  }, [cursor, posts === null]);

  const change = (next: FeedFilters) => app.go(`/?${queryOf(next)}`, true);
  // On a phone the filters fold away under their summary, unless some are set: the
  // posts come first.
  const wide = typeof matchMedia === "undefined" || matchMedia("(min-width: 40rem)").matches;
  const active = key !== "";

  return (
    <section class="feed" aria-labelledby="feed-title">
      <h1 id="feed-title" tabIndex={-1}>{t("feed_title")}</h1>
      <details class="filters-box" open={wide || active}>
        <summary>{t("filters")}{active ? ` (${t("filters_on")})` : ""}</summary>
      <form class="filters" role="search" noValidate onSubmit={(e) => {
        e.preventDefault();
        const problem = length(words) > LIMITS.searchMax;
        setWordsProblem(problem);
        if (!problem) change({ ...filters, q: words.trim() || undefined });
      }}>
        <div class="field">
          <label for="f-words">{t("filter_words")}</label>
          <input id="f-words" type="search" value={words} aria-invalid={wordsProblem || undefined}
            aria-describedby={wordsProblem ? "f-words-problem" : undefined} onInput={(e) => setWords(e.currentTarget.value)} />
          {wordsProblem && <p class="field-problem" id="f-words-problem" role="alert">{t("error_search_too_long", { max: LIMITS.searchMax })}</p>}
        </div>
        <label>
          {t("filter_kind")}
          <select value={filters.kind ?? ""} onChange={(e) => change({ ...filters, kind: e.currentTarget.value || undefined })}>
            <option value="">{t("all")}</option>
            <option value="request">{t("kind_request")}</option>
            <option value="offer">{t("kind_offer")}</option>
          </select>
        </label>
        <label>
          {t("filter_category")}
          <select value={filters.category ?? ""} onChange={(e) => change({ ...filters, category: e.currentTarget.value || undefined })}>
            <option value="">{t("all")}</option>
            {CATEGORIES.map((c) => <option value={c}>{t(`category_${c}` as Key)}</option>)}
          </select>
        </label>
        <PlacePicker
          label={t("filter_near")}
          place={filters.lat !== undefined && filters.lon !== undefined ? { lat: filters.lat, lon: filters.lon, name: query.get("place") ?? t("my_location") } : null}
          onPlace={(place: Place | null) => change(place
            ? { ...filters, lat: roundForUrl(place.lat), lon: roundForUrl(place.lon), place: place.name } as FeedFilters
            : { ...filters, lat: undefined, lon: undefined })}
          optional
        />
        {filters.lat !== undefined && (
          <label>
            {t("filter_within")}
            <select value={String((filters.within_m ?? 10_000) / 1000)} onChange={(e) => change({ ...filters, within_m: Number(e.currentTarget.value) * 1000 })}>
              {RADII_KM.map((km) => <option value={km}>{t("distance_km", { km })}</option>)}
            </select>
          </label>
        )}
        <button type="submit">{t("search")}</button>
      </form>
      </details>
      {problem && <Problem problem={problem} retry={() => setReload((n) => n + 1)} />}
      {!problem && posts === null && <Loading />}
      {posts !== null && posts.length === 0 && !problem && <Empty message={t("feed_empty")} />}
      {posts !== null && posts.length > 0 && (
        <ol class="posts" aria-live="polite" aria-relevant="additions">
          {posts.map((post) => <li key={post.id}><PostCard post={post} /></li>)}
        </ol>
      )}
      {cursor && posts && (
        <div ref={sentinel}>
          <button type="button" onClick={more} disabled={loadingMore}>{loadingMore ? t("state_loading") : t("more")}</button>
        </div>
      )}
    </section>
  );
}

/** The URL is shared: a point from "my location" goes in it to about 1 km (two
 * decimals), like a post's public location, never to the metre. */
function roundForUrl(degrees: number): number {
  return Math.round(degrees * 100) / 100;
}

function liveFilters(filters: FeedFilters): Record<string, unknown> {
  const live: Record<string, unknown> = {};
  if (filters.kind) live.kinds = [filters.kind];
  if (filters.category) live.categories = [filters.category];
  if (filters.lat !== undefined && filters.lon !== undefined) {
    live.area = { lat: filters.lat, lon: filters.lon, radius_m: Math.min(filters.within_m ?? 10_000, 100_000) };
  }
  return live;
}

export { accepts };
