import { describe, expect, it } from "vitest";

import { ApiError } from "../src/api/http";
import { type Clock, RENEW_BEFORE_S, Session } from "../src/api/session";

class FakeClock implements Clock {
  ms = 0;
  timers: { at: number; run: () => void }[] = [];
  now() { return this.ms; }
  setTimeout(run: () => void, ms: number) { const timer = { at: this.ms + ms, run }; this.timers.push(timer); return timer; }
  clearTimeout(handle: unknown) { this.timers = this.timers.filter((t) => t !== handle); }
  async advance(ms: number) {
    this.ms += ms;
    for (const timer of this.timers.filter((t) => t.at <= this.ms)) {
      this.clearTimeout(timer);
      timer.run();
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const account = { id: "u1", email: "lea@example.org", role: "member", display_name: "Léa", languages: [],
  interests: [], home: null, alert_radius_m: 1000, urgent_alerts_consent: false };

function server(outcomes: (string | ApiError)[]) {
  const calls: string[] = [];
  const send = (async (url: string) => {
    calls.push(url.replace("http://posts", ""));
    const next = outcomes.shift();
    if (next instanceof ApiError) throw next;
    return { access_token: next, expires_in: 900, account };
  }) as never;
  return { calls, send };
}

describe("the session", () => {
  it("renews the access token a minute before it expires, again and again", async () => {
    const clock = new FakeClock();
    const { calls, send } = server(["t1", "t2", "t3"]);
    const session = new Session("http://posts", clock, send);
    await session.logIn("lea@example.org", "a long password");
    expect(session.token()).toBe("t1");
    await clock.advance((900 - RENEW_BEFORE_S) * 1000 - 1);
    expect(calls).toEqual(["/auth/login"]);
    await clock.advance(1);
    expect(calls).toEqual(["/auth/login", "/auth/refresh"]);
    expect(session.token()).toBe("t2");
    await clock.advance((900 - RENEW_BEFORE_S) * 1000);
    expect(session.token()).toBe("t3");
  });

  it("asks once when several requests need a fresh token at the same time", async () => {
    const clock = new FakeClock();
    const { calls, send } = server(["t1", "t2"]);
    const session = new Session("http://posts", clock, send);
    await session.logIn("lea@example.org", "a long password");
    const [a, b] = await Promise.all([session.renew(), session.renew()]);
    expect([a, b]).toEqual(["t2", "t2"]);
    expect(calls.filter((c) => c === "/auth/refresh")).toHaveLength(1);
  });

  it("keeps the session when the server cannot be reached, and ends it when refused", async () => {
    const clock = new FakeClock();
    const { send } = server(["t1", new ApiError(0, "unreachable"), new ApiError(401, "session_over")]);
    const session = new Session("http://posts", clock, send);
    const changes: (string | null)[] = [];
    session.onChange((s) => changes.push(s.account?.id ?? null));
    await session.logIn("lea@example.org", "a long password");
    expect(await session.renew()).toBe("t1");
    expect(session.loggedIn).toBe(true);
    expect(await session.renew()).toBeNull();
    expect(session.loggedIn).toBe(false);
    expect(changes).toEqual(["u1", null]);
  });

  it("never hands out an expired token", async () => {
    const clock = new FakeClock();
    const { send } = server(["t1", new ApiError(0, "unreachable"), new ApiError(0, "unreachable")]);
    const session = new Session("http://posts", clock, send);
    await session.logIn("lea@example.org", "a long password");
    await clock.advance(901 * 1000);
    expect(session.token()).toBeNull();
  });

  it("renews first when a token is asked for after it expired (a night offline)", async () => {
    const clock = new FakeClock();
    const { calls, send } = server(["t1", new ApiError(0, "unreachable"), "t2"]);
    const session = new Session("http://posts", clock, send);
    await session.logIn("lea@example.org", "a long password");
    clock.timers = []; // the device slept: no timer fired
    clock.ms += 3600 * 1000;
    expect(await session.freshToken()).toBeNull(); // still offline: no token, still logged in
    expect(session.loggedIn).toBe(true);
    expect(await session.freshToken()).toBe("t2");
    expect(calls).toEqual(["/auth/login", "/auth/refresh", "/auth/refresh"]);
  });
});
