import { describe, expect, it, vi } from "vitest";

import { CLOSE_TOKEN_EXPIRED, Live, PROTOCOL, Seen, backoffMs } from "../src/live/socket";
import { FakeSocket, settle } from "./fake-socket";

function setUp(token: () => string | null = () => "abc") {
  const asyncToken = async () => token();
  const sockets: FakeSocket[] = [];
  const events: [string, string][] = [];
  const snapshots: string[] = [];
  const statuses: string[] = [];
  const live = new Live("ws://gateway/ws", asyncToken, {
    event: (channel, event) => events.push([channel, event.id]),
    snapshot: (channel) => snapshots.push(channel),
    status: (status) => statuses.push(status),
  }, (url, protocols) => {
    const socket = new FakeSocket(url, protocols);
    sockets.push(socket);
    return socket;
  });
  return { live, sockets, events, snapshots, statuses };
}

const event = (channel: string, id: string, cursor: string) => ({
  type: "event", channel, cursor, event: { type: "org.entraide.post.created.v1", id, time: "", data: {} },
});

describe("the live connection", () => {
  it("starts a channel again from now, and refetches it, when its cursor is refused", async () => {
    vi.useFakeTimers();
    const { live, sockets, snapshots } = setUp();
    live.subscribe("conversations");
    live.start();
    await settle();
    sockets[0].open();
    sockets[0].frame(event("conversations", "e1", "old-cursor"));
    sockets[0].drop();
    vi.advanceTimersByTime(backoffMs(0));
    await settle();
    sockets[1].open();
    expect(sockets[1].sent).toEqual([{ type: "subscribe", channel: "conversations", cursor: "old-cursor" }]);
    sockets[1].frame({ type: "error", code: "bad_cursor", field: "cursor", message: "wrong length" });
    expect(sockets[1].sent[1]).toEqual({ type: "subscribe", channel: "conversations" });
    expect(snapshots).toEqual(["conversations"]);
    live.stop();
    vi.useRealTimers();
  });

  it("sends the token as a subprotocol, never in the URL", async () => {
    const { live, sockets } = setUp();
    live.start();
    await settle();
    expect(sockets[0].url).toBe("ws://gateway/ws");
    expect(sockets[0].protocols).toEqual([PROTOCOL, "token.abc"]);
    live.stop();
  });

  it("connects anonymously without a token", async () => {
    const { live, sockets } = setUp(() => null);
    live.start();
    await settle();
    expect(sockets[0].protocols).toEqual([PROTOCOL]);
    live.stop();
  });

  it("resumes each channel from its last cursor after a drop, and drops duplicates", async () => {
    vi.useFakeTimers();
    const { live, sockets, events, statuses } = setUp();
    live.subscribe("feed", { filters: { kinds: ["offer"] } });
    live.start();
    await settle();
    sockets[0].open();
    expect(sockets[0].sent).toEqual([{ type: "subscribe", channel: "feed", filters: { kinds: ["offer"] } }]);
    sockets[0].frame(event("feed", "e1", "c1"));
    sockets[0].frame(event("feed", "e2", "c2"));
    sockets[0].drop();
    expect(statuses).toEqual(["live", "reconnecting"]);
    vi.advanceTimersByTime(backoffMs(0));
    await settle();
    sockets[1].open();
    expect(sockets[1].sent).toEqual([
      { type: "subscribe", channel: "feed", filters: { kinds: ["offer"] }, cursor: "c2" },
    ]);
    sockets[1].frame(event("feed", "e2", "c2")); // replayed: already applied
    sockets[1].frame(event("feed", "e3", "c3"));
    expect(events).toEqual([["feed", "e1"], ["feed", "e2"], ["feed", "e3"]]);
    live.stop();
    vi.useRealTimers();
  });

  it("takes a fresh token at each reconnection", async () => {
    vi.useFakeTimers();
    let token = "first";
    const { live, sockets } = setUp(() => token);
    live.start();
    await settle();
    sockets[0].open();
    token = "renewed";
    sockets[0].drop();
    vi.advanceTimersByTime(backoffMs(0));
    await settle();
    expect(sockets[1].protocols).toEqual([PROTOCOL, "token.renewed"]);
    live.stop();
    vi.useRealTimers();
  });

  it("comes straight back when its token expired, without a status flicker", async () => {
    const { live, sockets, statuses } = setUp();
    live.subscribe("notifications");
    live.start();
    await settle();
    sockets[0].open();
    sockets[0].frame(event("notifications", "n1", "c1"));
    sockets[0].drop(CLOSE_TOKEN_EXPIRED);
    await settle(); // no timer: at once
    sockets[1].open();
    expect(sockets[1].sent).toEqual([{ type: "subscribe", channel: "notifications", cursor: "c1" }]);
    expect(statuses).toEqual(["live"]);
    live.stop();
  });

  it("starts a channel afresh when its filters change, and reports a snapshot", async () => {
    const { live, sockets, snapshots } = setUp();
    live.start();
    await settle();
    sockets[0].open();
    live.subscribe("feed", { filters: {} });
    sockets[0].frame(event("feed", "e1", "c1"));
    live.subscribe("feed", { filters: { categories: ["housing"] } });
    expect(sockets[0].sent.at(-1)).toEqual({ type: "subscribe", channel: "feed", filters: { categories: ["housing"] } });
    sockets[0].frame({ type: "snapshot_required", channel: "feed", cursor: "c9" });
    expect(snapshots).toEqual(["feed"]);
    live.stop();
  });

  it("backs off exponentially up to a ceiling", () => {
    expect([0, 1, 2, 3].map(backoffMs)).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(20)).toBe(15_000);
  });
});

describe("Seen", () => {
  it("remembers a bounded number of ids, the oldest forgotten first", () => {
    const seen = new Seen(2);
    expect([seen.first("a"), seen.first("a"), seen.first("b"), seen.first("c")]).toEqual([true, false, true, true]);
    expect(seen.first("a")).toBe(true); // forgotten: the window moved on
    expect(seen.first("c")).toBe(false);
  });
});
