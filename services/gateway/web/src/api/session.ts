// The member's session: a short-lived access token kept in memory only, renewed before
// it expires with the refresh token the posts API keeps in an HttpOnly cookie (rotated
// at each renewal), so a member stays logged in for weeks and no script can read it.

import { ApiError, json, request, useTokens } from "./http";

export interface Account {
  id: string;
  email: string;
  role: string;
  display_name: string;
  languages: string[];
  interests: string[];
  home: { lat: number; lon: number } | null;
  alert_radius_m: number;
  urgent_alerts_consent: boolean;
  bio?: string;
  email_verified?: boolean;
}

interface Granted {
  access_token: string;
  expires_in: number;
  account: Account;
}

/** Renew this long before the token expires: a sleeping laptop wakes late. */
export const RENEW_BEFORE_S = 60;
const MIN_RENEW_DELAY_S = 5;

export type Listener = (session: Session) => void;

/** Tabs renew one after the other (the Web Locks API), so that the second sends the
 * cookie the first received, not the one it just spent. Where there are no locks, the
 * server's grace for a token exchanged seconds before covers the race. */
function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("entraide-session-renewal", run) as unknown as Promise<T>) : run();
}

export interface Clock {
  now(): number; // milliseconds
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
};

export class Session {
  account: Account | null = null;
  private access: string | null = null;
  private expiresAt = 0;
  private timer: unknown = null;
  private renewing: Promise<string | null> | null = null;
  private listeners = new Set<Listener>();

  constructor(
    private readonly postsUrl: string,
    private readonly clock: Clock = realClock,
    private readonly send: typeof request = request,
  ) {
    useTokens({ token: () => this.freshToken(), renew: () => this.renew() });
  }

  get loggedIn(): boolean {
    return this.account !== null;
  }

  token(): string | null {
    return this.access && this.clock.now() < this.expiresAt ? this.access : null;
  }

  /** The access token, renewed first if it has expired (a laptop that slept, a phone
   * that was offline): a request never goes out with a dead token when a live one can
   * be had. */
  async freshToken(): Promise<string | null> {
    const current = this.token();
    if (current || !this.account) return current;
    return this.renew();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** At start: the cookie may still hold a session (weeks long). */
  async restore(): Promise<void> {
    await this.renew();
  }

  async logIn(email: string, password: string): Promise<Account> {
    const granted = await this.send<Granted>(`${this.postsUrl}/auth/login`, {
      method: "POST", body: json({ email, password }), auth: false,
    });
    return this.grant(granted);
  }

  /** Every other session ends; this one goes on with a new refresh token. */
  async changePassword(current: string, password: string): Promise<void> {
    const granted = await this.send<Granted>(`${this.postsUrl}/me/password`, {
      method: "POST", body: json({ current_password: current, new_password: password }),
    });
    this.grant(granted);
  }

  async logOut(): Promise<void> {
    try {
      await this.send(`${this.postsUrl}/auth/logout`, { method: "POST", auth: false });
    } finally {
      this.end();
    }
  }

  /** A fresh access token (renewing once at a time, across this browser's tabs too: they
   * share the cookie), or null when the session is over. */
  renew(): Promise<string | null> {
    this.renewing ??= oneAtATime(() => this.send<Granted>(`${this.postsUrl}/auth/refresh`, {
      method: "POST", auth: false,
    }))
      .then((granted) => this.grant(granted) && this.access)
      .catch((error: unknown) => {
        // Refused (401): the session is over. Anything else (offline, a restart's 503, a
        // 429) says nothing about the session: keep it and try again shortly.
        if (error instanceof ApiError && error.status === 401) {
          this.end();
          return null;
        }
        this.schedule(MIN_RENEW_DELAY_S);
        return this.token();
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  /** After a sleep or a network change: renew now if the token is (nearly) expired. */
  wake(): void {
    if (this.account && this.clock.now() > this.expiresAt - RENEW_BEFORE_S * 1000) {
      void this.renew();
    }
  }

  updated(account: Account): void {
    this.account = account;
    this.emit();
  }

  private grant(granted: Granted): Account {
    const changed = this.account?.id !== granted.account.id;
    this.access = granted.access_token;
    this.expiresAt = this.clock.now() + granted.expires_in * 1000;
    this.account = granted.account;
    this.schedule(Math.max(MIN_RENEW_DELAY_S, granted.expires_in - RENEW_BEFORE_S));
    if (changed) this.emit();
    return granted.account;
  }

  private schedule(inS: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => void this.renew(), inS * 1000);
  }

  private end(): void {
    const was = this.account;
    this.access = null;
    this.expiresAt = 0;
    this.account = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (was) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this);
  }
}
