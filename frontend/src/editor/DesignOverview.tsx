import type { ValidationError } from "../api/types";
import { useEditor } from "./store";

const NO_ERRORS: ValidationError[] = [];

const SHORTCUTS: [string, string][] = [
  ["Ctrl S", "save"],
  ["Ctrl Z / Ctrl Shift Z", "undo / redo"],
  ["Del", "delete selection"],
  ["Ctrl C / Ctrl V", "copy / paste"],
  ["Shift drag", "select several"],
  ["/", "search layers"],
];

/** Inspector contents when no single node is selected: the design's problems and the shortcuts. */
export function DesignOverview({ count }: { count: number }) {
  const errors = useEditor((s) => s.validation?.errors ?? NO_ERRORS);
  const warnings = useEditor((s) => s.validation?.warnings ?? NO_ERRORS);
  const issues = errors.length + warnings.length;
  const select = useEditor((s) => s.select);
  return (
    <div className="inspector-body">
      <h3>{count > 1 ? `${count} layers selected` : "Design"}</h3>
      {issues > 0 ? (
        <>
          <h4>Problems</h4>
          <ul className="problem-list" data-testid="problem-list">
            {[...errors, ...warnings].map((e, i) => (
              <li key={i} className={i >= errors.length ? "warning" : undefined}>
                {e.node ? (
                  <button className="linklike" onClick={() => select([e.node!])}>
                    {e.node}
                  </button>
                ) : (
                  <strong>graph</strong>
                )}
                : {e.message}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">Select a layer to edit its parameters.</p>
      )}
      <h4>Keyboard</h4>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, v]) => (
            <tr key={k}>
              <td>
                <span className="kbd">{k}</span>
              </td>
              <td className="muted">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
