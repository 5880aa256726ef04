import { createContext } from "preact";
import { useContext, useEffect, useMemo, useState } from "preact/hooks";

import type { Config } from "./api/http";
import { Api } from "./api/resources";
import { Session } from "./api/session";
import { type Key, type Lang, type Params, distance, plural, relativeTime, translate } from "./i18n";
import { Live, type LiveEvent, type Status } from "./live/socket";
import { type Route, parseRoute } from "./router";

export interface App {
  config: Config;
  api: Api;
  session: Session;
  live: Live;
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: Key, params?: Params): string;
  tn(key: string, count: number, params?: Params): string;
  ago(iso: string): string;
  far(metres: number): string;
  route: Route;
  go(path: string, replace?: boolean): void;
  /** The session kept in the cookie was looked for (found or not): until then, a
   * screen for members only waits instead of sending a member to the log-in page. */
  sessionReady: boolean;
  status: Status;
  online: boolean;
  unread: number;
  setUnread(count: number | ((count: number) => number)): void;
  /** Unread messages over all of the member's conversations. */
  unreadMessages: number;
  setUnreadMessages(count: number): void;
  /** The members she blocked: their posts never show, live or not. */
  blocked: Set<string>;
  /** The notifications pushed live since the page opened, newest first: the inbox may
   * not have stored the newest yet when its screen asks (it stores after the push). */
  recentNotices(): LiveEvent[];
  /** Subscribe to live events of one channel; returns the unsubscribe. */
  listen(channel: string, handler: (event: LiveEvent) => void, onSnapshot?: () => void): () => void;
  /** Hear the socket's other frames (rooms, answers, errors); returns the stop. */
  onFrame(handler: (frame: Record<string, unknown>) => void): () => void;
}

const RECENT_NOTICES_KEPT = 50;

export const AppContext = createContext<App | null>(null);

export function useApp(): App {
  const app = useContext(AppContext);
  if (!app) throw new Error("no app");
  return app;
}

type ChannelHandler = { event: (e: LiveEvent) => void; snapshot?: () => void };

export function useAppState(config: Config, initialLang: Lang): App {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname, location.search));
  const [status, setStatus] = useState<Status>("connecting");
  const [online, setOnline] = useState(navigator.onLine);
  const [unread, setUnread] = useState(0);
  const [unreadMessages, setUnreadMessages] = useState(0);
  const [sessionReady, setSessionReady] = useState(false);
  const [, setAccount] = useState<unknown>(null);

  const parts = useMemo(() => {
    const handlers = new Map<string, Set<ChannelHandler>>();
    const frameHandlers = new Set<(frame: Record<string, unknown>) => void>();
    const recent: LiveEvent[] = [];
    handlers.set("notifications", new Set([{ event: (e: LiveEvent) => {
      recent.unshift(e);
      recent.length = Math.min(recent.length, RECENT_NOTICES_KEPT);
    } }]));
    const session = new Session(config.postsUrl);
    const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    const live = new Live(socketUrl, () => session.freshToken(), {
      event: (channel, event) => handlers.get(channel)?.forEach((h) => h.event(event)),
      snapshot: (channel) => handlers.get(channel)?.forEach((h) => h.snapshot?.()),
      status: setStatus,
      frame: (frame) => frameHandlers.forEach((h) => h(frame)),
    });
    // Suspended by a moderator: the session ends here too, and the member is told why.
    frameHandlers.add((frame) => {
      if (frame.type !== "suspended") return;
      void session.logOut().catch(() => undefined).then(() => {
        history.pushState(null, "", "/login?suspended=1");
        dispatchEvent(new PopStateEvent("popstate"));
      });
    });
    session.onChange(() => { recent.length = 0; });
    return { session, live, handlers, frameHandlers, recent, api: new Api(config), blocked: new Set<string>() };
  }, [config]);

  useEffect(() => {
    const { session, live } = parts;
    const offSession = session.onChange(() => {
      setAccount(session.account);
      live.restart();
    });
    const onPop = () => setRoute(parseRoute(location.pathname, location.search));
    const onOnline = () => {
      setOnline(navigator.onLine);
      session.wake();
      live.nudge();
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") onOnline();
    };
    addEventListener("popstate", onPop);
    addEventListener("online", onOnline);
    addEventListener("offline", onOnline);
    document.addEventListener("visibilitychange", onVisible);
    void session.restore().finally(() => {
      setSessionReady(true);
      live.start();
    });
    return () => {
      offSession();
      live.stop();
      removeEventListener("popstate", onPop);
      removeEventListener("online", onOnline);
      removeEventListener("offline", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [parts]);

  return {
    config,
    api: parts.api,
    session: parts.session,
    live: parts.live,
    lang,
    setLang(next) {
      localStorage.setItem("lang", next);
      document.documentElement.lang = next;
      setLangState(next);
    },
    t: (key, params) => translate(lang, key, params),
    tn: (key, count, params) => plural(lang, key, count, params),
    ago: (iso) => relativeTime(lang, iso),
    far: (metres) => distance(lang, metres),
    route,
    go(path, replace = false) {
      if (replace) history.replaceState(null, "", path);
      else history.pushState(null, "", path);
      setRoute(parseRoute(location.pathname, location.search));
      scrollTo(0, 0);
    },
    sessionReady,
    status,
    online,
    unread,
    setUnread,
    unreadMessages,
    setUnreadMessages,
    blocked: parts.blocked,
    recentNotices: () => [...parts.recent],
    listen(channel, event, snapshot) {
      const set = parts.handlers.get(channel) ?? new Set();
      const handler = { event, snapshot };
      set.add(handler);
      parts.handlers.set(channel, set);
      return () => set.delete(handler);
    },
    onFrame(handler) {
      parts.frameHandlers.add(handler);
      return () => parts.frameHandlers.delete(handler);
    },
  };
}
