import { api } from "../api/client";

export interface Me {
  id: number;
  username: string;
  is_staff: boolean;
}

let cached: Promise<Me | null> | null = null;

/** The signed-in user, or null when signed out (asked once per page load). */
export function loadMe(): Promise<Me | null> {
  cached ??= api.get<Me>("/api/me").catch(() => null);
  return cached;
}
