import { describe, expect, it } from "vitest";

import { offset, sectorShape } from "../src/geo";
import { Live } from "../src/live/socket";
import { FakeSocket, settle } from "./fake-socket";

describe("the search room on the socket", () => {
  it("hands room frames over, and never asks again for a room closed or refused", async () => {
    const sockets: FakeSocket[] = [];
    const frames: Record<string, unknown>[] = [];
    const live = new Live("ws://gateway/ws", async () => "abc", {
      event: () => {}, snapshot: () => {}, status: () => {}, frame: (f) => frames.push(f),
    }, () => { const s = new FakeSocket(); sockets.push(s); return s; });
    expect(live.send({ type: "answer", post_id: "p1", answer: "coming" })).toBe(false); // not open yet
    live.start();
    await settle();
    sockets[0].open();
    live.subscribe("room:p1");
    live.subscribe("room:p2");
    sockets[0].frame({ type: "room", channel: "room:p1", room: { post_id: "p1" } });
    sockets[0].frame({ type: "room_closed", channel: "room:p1", reason: "released" });
    sockets[0].frame({ type: "error", code: "forbidden", field: "channel", channel: "room:p2" });
    expect(frames.map((f) => f.type)).toEqual(["room", "room_closed", "error"]);
    expect(live.send({ type: "answer", post_id: "p3", answer: "coming" })).toBe(true);
    // On the next connection neither room is asked for again.
    sockets[0].drop();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settle();
    sockets[1].open();
    expect(sockets[1].sent.filter((f) => String(f.channel ?? "").startsWith("room:"))).toEqual([]);
    live.stop();
  });
});

describe("the search map's sectors", () => {
  it("puts sector 0 to the north and closes each sector on the point", () => {
    const [lat, lon] = [48.8937, 2.3934];
    const north = sectorShape(lat, lon, 400, 0, 8);
    expect(north[0]).toEqual([lat, lon]);
    const middle = north[Math.floor(north.length / 2)];
    expect(middle[0]).toBeGreaterThan(lat);
    expect(Math.abs(middle[1] - lon)).toBeLessThan(1e-9);
    const [eastLat, eastLon] = offset(lat, lon, 400, 90);
    expect(Math.abs(eastLat - lat)).toBeLessThan(1e-9);
    // 400 m east is about 400 m: the longitude step shrinks with the latitude.
    expect((eastLon - lon) * 111_195 * Math.cos((lat * Math.PI) / 180)).toBeCloseTo(400, 3);
  });
});
