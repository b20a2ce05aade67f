import { useEffect, useState } from "react";
import { checkRow, defaultRow, rowFromSpec, rowToSpec, type Candidate, type Row } from "../sweeps/searchSpace";
import type { ParamSpecJson } from "../sweeps/types";

/** What a field needs to be searchable: the parameter, its committed mark, and where edits go. */
export interface SearchProps {
  candidate: Candidate;
  /** The committed mark (in the graph or the train form); undefined when the parameter is not searched. */
  spec: ParamSpecJson | undefined;
  /** Called with a valid spec, undefined (mark removed), or the previous spec plus the error being shown. */
  onCommit: (spec: ParamSpecJson | undefined, error?: string) => void;
}

export interface SearchMark {
  candidate: Candidate;
  row: Row | null;
  error: string | undefined;
  toggle: (on: boolean) => void;
  patch: (p: Partial<Row>) => void;
  switchMode: (mode: Row["mode"]) => void;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The draft of one search mark. Like ParamField it keeps what the person types and commits only specs
 * that are valid, so the graph never holds a mark the sweep API would refuse. Null without `search`
 * (the hook is still called: hooks cannot be conditional).
 */
export function useSearchMark(search: SearchProps | undefined): SearchMark | null {
  const spec = search?.spec;
  const [row, setRow] = useState<Row | null>(() => (search && spec ? rowFromSpec(search.candidate.name, spec, search.candidate.type) : null));
  const [error, setError] = useState<string | undefined>();

  // Follow outside changes (undo, a version loaded) unless the field holds an invalid draft.
  useEffect(() => {
    if (error || !search) return;
    if (!spec) setRow(null);
    else if (!row || !same(rowToSpec(row).spec, spec)) setRow(rowFromSpec(search.candidate.name, spec, search.candidate.type));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [spec]);

  if (!search) return null;
  const { candidate, onCommit } = search;
  const edit = (next: Row | null) => {
    setRow(next);
    if (!next) {
      setError(undefined);
      onCommit(undefined);
      return;
    }
    const res = checkRow(next, candidate);
    setError(res.error);
    if (res.spec) onCommit(res.spec);
    else onCommit(spec, res.error);
  };
  return {
    candidate,
    row,
    error,
    toggle: (on) => edit(on ? defaultRow(candidate) : null),
    patch: (p) => row && edit({ ...row, ...p }),
    // A list starts from the current value, a range from the default one: never an empty field.
    switchMode: (mode) => {
      if (!row) return;
      const fallback = defaultRow(candidate);
      const current = candidate.current === undefined || candidate.current === null ? "" : String(candidate.current);
      if (mode === "list") edit({ ...row, mode, values: row.values || current || `${fallback.min}, ${fallback.max}` });
      else edit({ ...row, mode, min: row.min || fallback.min, max: row.max || fallback.max });
    },
  };
}

/** The compact "search" toggle, for a field's label row. `testid` is the toggle's data-testid. */
export function SearchToggle({ mark, testid }: { mark: SearchMark; testid: string }) {
  return (
    <label className="search-toggle" title="Let a sweep vary this parameter">
      <input type="checkbox" checked={!!mark.row} onChange={(e) => mark.toggle(e.target.checked)} data-testid={testid} />
      search
    </label>
  );
}

/**
 * Under the field while the mark is on: a range (min, max, step for integers, log for floats) or a list
 * of values, and the error. Test ids: `${testid}-mode`, `-min`, `-max`, `-step`, `-log`, `-values`, `-error`.
 */
export function SearchEditor({ mark, testid }: { mark: SearchMark; testid: string }) {
  const { row, error, candidate, patch } = mark;
  if (!row) return null;
  const numeric = candidate.type === "int" || candidate.type === "float";
  const invalid = error ? "invalid" : undefined;
  return (
    <div className="search-mark">
      {/* Enter in a mark must not submit the surrounding form (in the train dialog: start one training run). */}
      <div className="search-row" data-testid={`${testid}-row`} onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}>
        {numeric && (
          <select value={row.mode} onChange={(e) => mark.switchMode(e.target.value as Row["mode"])} data-testid={`${testid}-mode`} aria-label="range or list">
            <option value="range">range</option>
            <option value="list">list</option>
          </select>
        )}
        {numeric && row.mode === "range" ? (
          <>
            <input size={6} placeholder="min" aria-label="min" value={row.min} onChange={(e) => patch({ min: e.target.value })} data-testid={`${testid}-min`} className={invalid} />
            <input size={6} placeholder="max" aria-label="max" value={row.max} onChange={(e) => patch({ max: e.target.value })} data-testid={`${testid}-max`} className={invalid} />
            {candidate.type === "int" ? (
              <input size={4} placeholder="step" aria-label="step" value={row.step} onChange={(e) => patch({ step: e.target.value })} data-testid={`${testid}-step`} />
            ) : (
              <label className="search-toggle">
                <input type="checkbox" checked={row.log} onChange={(e) => patch({ log: e.target.checked })} data-testid={`${testid}-log`} />
                log
              </label>
            )}
          </>
        ) : (
          <input
            size={18}
            placeholder={candidate.choices?.length ? candidate.choices.slice(0, 3).join(", ") : "comma-separated"}
            aria-label="values"
            value={row.values}
            onChange={(e) => patch({ values: e.target.value })}
            data-testid={`${testid}-values`}
            className={invalid}
          />
        )}
      </div>
      {error && (
        <div className="field-error" data-testid={`${testid}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
