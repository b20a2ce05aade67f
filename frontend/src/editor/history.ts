// Undo/redo stack of immutable snapshots. Consecutive pushes with the same tag (e.g. typing in one
// field) within `coalesceMs` replace the top entry instead of adding one.

export interface History<T> {
  past: T[];
  future: T[];
  lastTag: string | null;
  lastAt: number;
}

export const LIMIT = 100;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastTag: null, lastAt: 0 };
}

/** Record `before` (the state prior to a change) so the change can be undone. */
export function record<T>(h: History<T>, before: T, tag: string | null = null, now = Date.now(), coalesceMs = 1000): History<T> {
  if (tag !== null && tag === h.lastTag && now - h.lastAt < coalesceMs && h.past.length > 0) {
    return { ...h, future: [], lastAt: now };
  }
  return { past: [...h.past, before].slice(-LIMIT), future: [], lastTag: tag, lastAt: now };
}

export function undo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.past.length) return null;
  const state = h.past[h.past.length - 1];
  return { state, history: { past: h.past.slice(0, -1), future: [current, ...h.future], lastTag: null, lastAt: 0 } };
}

export function redo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.future.length) return null;
  const [state, ...future] = h.future;
  return { state, history: { past: [...h.past, current].slice(-LIMIT), future, lastTag: null, lastAt: 0 } };
}
