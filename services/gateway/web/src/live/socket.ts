// The one WebSocket to the gateway (docs/protocol.md): subscriptions with their cursors,
// reconnection with backoff that resumes each channel where it was, duplicates dropped
// by event id, and the access token sent in the subprotocol header, never in the URL.

export type Status = "connecting" | "live" | "reconnecting" | "offline";

export interface LiveEvent {
  type: string;
  id: string;
  time: string;
  data: Record<string, unknown>;
}

export interface Handlers {
  event(channel: string, event: LiveEvent): void;
  /** The gap is older than what gateways keep: refetch this channel over HTTP. */
  snapshot(channel: string): void;
  status(status: Status): void;
  /** Every other frame (a search room, its end, an answer taken, an error). */
  frame?(frame: Record<string, unknown>): void;
}

interface Channel {
  frame: Record<string, unknown>;
  cursor: string | null;
}

export const PROTOCOL = "entraide.v1";
export const CLOSE_TOKEN_EXPIRED = 4001;
export const CLOSE_SUSPENDED = 4003;
export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 15_000;
export const SEEN_KEPT = 5_000;

export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export type Connect = (url: string, protocols: string[]) => SocketLike;

const OPEN = 1;

/** Event ids already applied, the oldest forgotten first. */
export class Seen {
  private ids = new Set<string>();
  constructor(private readonly kept = SEEN_KEPT) {}

  /** True the first time an id is seen. */
  first(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.kept) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return true;
  }
}

export function backoffMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** attempt);
}

export class Live {
  private socket: SocketLike | null = null;
  private channels = new Map<string, Channel>();
  private seen = new Seen();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private status: Status = "connecting";
  private opening = 0;
  private restarting = false; // closed on purpose (log-in, log-out): straight back

  constructor(
    private readonly url: string,
    /** A valid access token (renewed first if it expired, say while offline), or null. */
    private readonly token: () => Promise<string | null>,
    private readonly handlers: Handlers,
    private readonly connect: Connect = (url, protocols) =>
      new WebSocket(url, protocols) as unknown as SocketLike,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
  }

  /** Who is connected changed (log-in, log-out): cursors are bound to the member, so
   * every channel starts again from now, on a new socket. */
  restart(): void {
    for (const channel of this.channels.values()) channel.cursor = null;
    this.seen = new Seen();
    if (this.socket) {
      this.restarting = true;
      this.socket.close(1000);
    }
  }

  subscribe(channel: string, fields: Record<string, unknown> = {}): void {
    const known = this.channels.get(channel);
    const frame = { type: "subscribe", channel, ...fields };
    // New filters are a new stream: what the old cursor passed is not what they want.
    const cursor = known && sameFields(known.frame, frame) ? known.cursor : null;
    this.channels.set(channel, { frame, cursor });
    this.sendIfOpen(cursor ? { ...frame, cursor } : frame);
  }

  unsubscribe(channel: string): void {
    if (this.channels.delete(channel)) this.sendIfOpen({ type: "unsubscribe", channel });
  }

  locate(lat: number, lon: number): void {
    this.sendIfOpen({ type: "location", lat, lon });
  }

  /** The network came back, or the tab woke: try at once instead of after the backoff. */
  nudge(): void {
    if (!this.socket && !this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      this.attempt = 0;
      this.open();
    }
  }

  private open(): void {
    if (this.stopped) return;
    const attempt = ++this.opening;
    void this.token().catch(() => null).then((token) => {
      // A stop, or a newer attempt, while the token was on its way: this one is moot.
      if (!this.stopped && attempt === this.opening) this.connectWith(token);
    });
  }

  private connectWith(token: string | null): void {
    const protocols = token ? [PROTOCOL, `token.${token}`] : [PROTOCOL];
    const socket = this.connect(this.url, protocols);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setStatus("live");
      for (const channel of this.channels.values()) {
        const { frame, cursor } = channel;
        socket.send(JSON.stringify(cursor ? { ...frame, cursor } : frame));
      }
    };
    socket.onmessage = (message) => this.receive(String(message.data));
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      // A moderator suspended the account: the app ends the session, and the socket
      // comes back (after the backoff) as an anonymous visitor's.
      if (event.code === CLOSE_SUSPENDED) this.handlers.frame?.({ type: "suspended" });
      if (event.code === CLOSE_TOKEN_EXPIRED || this.restarting) {
        this.restarting = false;
        // Expected (the gateway's socket lives as long as its token): straight back,
        // with the renewed token, and the status never flickers.
        this.open();
        return;
      }
      const offline = typeof navigator !== "undefined" && navigator.onLine === false;
      this.setStatus(offline ? "offline" : "reconnecting");
      this.timer = setTimeout(() => this.open(), backoffMs(this.attempt++));
    };
  }

  private receive(text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const name = String(frame.channel ?? "");
    const channel = this.channels.get(name);
    if (channel && typeof frame.cursor === "string") channel.cursor = frame.cursor;
    if (frame.type === "snapshot_required" && channel) this.handlers.snapshot(name);
    if (frame.type === "event" && channel) {
      const event = frame.event as LiveEvent;
      if (this.seen.first(event.id)) this.handlers.event(name, event);
      return;
    }
    // A cursor the gateway cannot read (one from before a topic was added to what the
    // gateways serve, say): every channel resumed with one starts again from now, and
    // what it shows is fetched again over HTTP, so nothing is missed for good.
    if (frame.type === "error" && frame.code === "bad_cursor") {
      for (const [channelName, resumed] of this.channels) {
        if (!resumed.cursor) continue;
        resumed.cursor = null;
        this.sendIfOpen(resumed.frame);
        this.handlers.snapshot(channelName);
      }
    }
    // A room closed for good (released, the alert ended): never asked for again.
    const refused = frame.type === "error" && frame.code === "forbidden" && frame.field === "channel";
    if (frame.type === "room_closed" || refused) this.channels.delete(name);
    if (frame.type !== "snapshot_required") this.handlers.frame?.(frame);
  }

  /** A frame of the protocol (an answer, a room update), sent if the socket is open;
   * false when it is not (the caller says so, and may try again). */
  send(frame: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private sendIfOpen(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setStatus(status: Status): void {
    if (status !== this.status) {
      this.status = status;
      this.handlers.status(status);
    }
  }
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
