import { useEffect, useState } from "react";
import { formatValue, parseField, type FieldDef } from "./paramForm";
import { SearchEditor, SearchToggle, useSearchMark, type SearchProps } from "./SearchMarkField";

interface Props {
  field: FieldDef;
  value: unknown;
  onCommit: (value: unknown) => void;
  disabled?: boolean;
  /** Set for parameters a sweep can search: the search mark under the field. */
  search?: SearchProps;
}

/** One inspector field. Keeps what the person types; commits only values that parse. */
export function ParamField({ field, value, onCommit, disabled, search }: Props) {
  const [raw, setRaw] = useState(formatValue(value));
  const [error, setError] = useState<string | undefined>();
  const mark = useSearchMark(search);

  // Follow outside changes (undo, fixes) unless the field holds an invalid draft.
  useEffect(() => {
    if (!error) setRaw(formatValue(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  const change = (next: string | boolean) => {
    if (typeof next === "string") setRaw(next);
    const parsed = parseField(field.spec, next);
    setError(parsed.error);
    if (!parsed.error) onCommit(parsed.value);
  };
  const id = `param-${field.name}`;
  const { spec } = field;
  const range = field.widget === "number" && (spec.min != null || spec.max != null) ? `${spec.min ?? "−∞"} … ${spec.max ?? "∞"}` : null;

  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>
          {field.label}
          {spec.required && <span className="req"> *</span>}
        </label>
        <span className="row gap-small">
          {range && <span className="muted">{range}</span>}
          {mark && <SearchToggle mark={mark} testid={`search-${field.name}`} />}
        </span>
      </div>
      {field.widget === "checkbox" ? (
        <input
          id={id}
          type="checkbox"
          data-testid={id}
          checked={value === undefined ? Boolean(spec.default) : Boolean(value)}
          onChange={(e) => change(e.target.checked)}
          disabled={disabled}
        />
      ) : field.widget === "select" ? (
        <select id={id} data-testid={id} value={raw} onChange={(e) => change(e.target.value)} disabled={disabled}>
          {field.options!.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          data-testid={id}
          type={field.widget === "number" ? "number" : "text"}
          step={field.step}
          min={spec.min ?? undefined}
          max={spec.max ?? undefined}
          value={raw}
          placeholder={field.placeholder}
          className={error ? "invalid" : undefined}
          aria-invalid={!!error}
          onChange={(e) => change(e.target.value)}
          disabled={disabled}
          spellCheck={false}
        />
      )}
      {error ? <div className="field-error" data-testid={`${id}-error`}>{error}</div> : spec.help && <div className="field-help">{spec.help}</div>}
      {mark && <SearchEditor mark={mark} testid={`search-${field.name}`} />}
    </div>
  );
}
