// HTTP to the posts and notifications APIs: the access token on every request, one
// renewal and retry on a 401, and every failure turned into an ApiError with a code
// the screens translate (never a raw body on screen).

export interface FieldError {
  field: string | null;
  code: string;
  params: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly fields: FieldError[] = [],
    readonly retryAfterS: number | null = null,
  ) {
    super(code);
  }

  /** Could not reach the server at all (offline, down, refused). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export interface Config {
  postsUrl: string;
  notificationsUrl: string;
  /** The search room's map tiles ({z}/{x}/{y}); empty: points and sectors only. */
  tilesUrl?: string;
  tilesAttribution?: string;
}

export interface TokenSource {
  /** A valid access token, renewed first if it expired; null when logged out. */
  token(): Promise<string | null>;
  /** A fresh access token after a 401, or null when the session is over. */
  renew(): Promise<string | null>;
}

let tokens: TokenSource = { token: async () => null, renew: async () => null };

export function useTokens(source: TokenSource): void {
  tokens = source;
}

/** FastAPI's validation errors (422), and ours ({detail: {code, field}}), as field errors. */
export function fieldErrors(body: unknown): FieldError[] {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => {
      const loc: unknown[] = Array.isArray(item?.loc) ? item.loc : [];
      // ["body", "title"]: the first part says where (body, query, path), not which field;
      // a field may itself be called "body" (a post's details).
      const where = ["body", "query", "path", "header", "cookie"].includes(String(loc[0]));
      const field = (where ? loc.slice(1) : loc).join(".") || null;
      return { field, code: String(item?.type ?? "invalid"), params: item?.ctx ?? {} };
    });
  }
  if (detail && typeof detail === "object") {
    const d = detail as { code?: string; field?: string; params?: Record<string, unknown> };
    return [{ field: d.field ?? null, code: d.code ?? "error", params: d.params ?? {} }];
  }
  return [];
}

function errorCode(status: number, body: unknown): string {
  const detail = (body as { detail?: { code?: string } } | null)?.detail;
  if (detail && !Array.isArray(detail) && detail.code) return detail.code;
  if (status === 422) return "invalid";
  if (status >= 500) return "server_error";
  return `http_${status}`;
}

export async function request<T>(
  url: string,
  init: RequestInit & { auth?: boolean } = {},
  retried = false,
): Promise<T> {
  const headers = new Headers(init.headers);
  // A form (a photo) sets its own multipart type and boundary.
  const form = typeof FormData !== "undefined" && init.body instanceof FormData;
  if (init.body && !form && !headers.has("content-type")) headers.set("content-type", "application/json");
  const token = init.auth === false ? null : await tokens.token();
  if (token) headers.set("authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, credentials: "include" });
  } catch {
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    throw new ApiError(0, offline ? "offline" : "unreachable");
  }
  if (response.status === 401 && token && !retried) {
    const fresh = await tokens.renew();
    if (fresh) return request<T>(url, init, true);
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const retry = Number(response.headers.get("retry-after"));
    throw new ApiError(response.status, errorCode(response.status, body), fieldErrors(body),
      Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return body as T;
}

export function json(body: unknown): string {
  return JSON.stringify(body);
}
