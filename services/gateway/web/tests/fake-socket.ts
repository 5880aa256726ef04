// A WebSocket as the tests drive it: what the client sent, and frames, opens and drops
// made to happen on cue.

import type { SocketLike } from "../src/live/socket";

export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(readonly url = "", readonly protocols: string[] = []) {}
  send(data: string) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; this.onclose?.({ code: 1000 }); }
  open() { this.readyState = 1; this.onopen?.({}); }
  frame(frame: Record<string, unknown>) { this.onmessage?.({ data: JSON.stringify(frame) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code }); }
}

/** Let the token's promise resolve (the socket opens once it has it). */
export const settle = () => Promise.resolve().then(() => Promise.resolve()).then(() => Promise.resolve());
