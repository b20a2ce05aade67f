// The one place that talks HTTP: session cookie + CSRF header, one error shape.

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown> | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? null;
  }

  /** True when the person must sign in (or lacks the right to see this). */
  get needsLogin(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function getCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/** Headers a state-changing request needs: Django's csrftoken cookie echoed back. */
export function csrfHeaders(): Record<string, string> {
  const token = getCookie("csrftoken");
  return token ? { "X-CSRFToken": token } : {};
}

/** Turns any error body (ours, django-ninja's `detail`, or plain text) into an ApiErrorBody. */
export function parseErrorBody(status: number, text: string): ApiErrorBody {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const err = json.error as Partial<ApiErrorBody> | undefined;
    if (err && typeof err === "object" && typeof err.message === "string") {
      return { code: err.code ?? String(status), message: err.message, details: err.details ?? null };
    }
    if (json.detail !== undefined) {
      const d = json.detail;
      const message = typeof d === "string" ? d : summarizeDetail(d);
      return { code: String(status), message, details: { detail: d } };
    }
  } catch {
    /* not JSON */
  }
  const fallback =
    status === 401 || status === 403
      ? "Please sign in to continue."
      : status >= 500
        ? `The server failed (HTTP ${status}). Try again in a moment.`
        : `Request failed (HTTP ${status}).`;
  return { code: String(status), message: text && text.length < 200 && !text.startsWith("<") ? text : fallback };
}

function summarizeDetail(d: unknown): string {
  if (Array.isArray(d)) {
    return d
      .map((e) => {
        const item = e as { loc?: unknown[]; msg?: string };
        const where = Array.isArray(item.loc) ? item.loc.filter((x) => x !== "body").join(".") : "";
        return where ? `${where}: ${item.msg ?? "invalid"}` : (item.msg ?? "invalid");
      })
      .join("; ");
  }
  return JSON.stringify(d);
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: BodyInit | undefined;
  if (method !== "GET") Object.assign(headers, csrfHeaders());
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, { code: "network", message: "Cannot reach the server. Is it running?" });
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, parseErrorBody(res.status, text));
  return (text ? JSON.parse(text) : null) as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
  del: <T>(path: string) => request<T>("DELETE", path),
};

export function loginUrl(next: string = window.location.pathname + window.location.search): string {
  return `/accounts/login/?next=${encodeURIComponent(next)}`;
}

/** ws:// or wss:// URL for a path on this host. */
export function wsUrl(path: string): string {
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${window.location.host}${path}`;
}
