import { TEMPLATES, resolveTemplate } from "./templates";
import { useEditor } from "./store";

/** Shown on an empty canvas: start from a template, or drag a layer in. */
export function EmptyCanvas() {
  const catalog = useEditor((s) => s.catalog);
  const load = useEditor((s) => s.load);
  const name = useEditor((s) => s.name);
  const designId = useEditor((s) => s.designId);
  return (
    <div className="empty-canvas">
      <div className="empty-canvas-box">
        <h3>Start from a template</h3>
        <div className="template-grid">
          {TEMPLATES.map((t) => (
            <button
              key={t.id}
              className="template-card"
              data-testid={`template-${t.id}`}
              onClick={() => load(resolveTemplate(t.graph, new Set(catalog.keys())), name, designId, true)}
            >
              <strong>{t.name}</strong>
              <span className="muted">{t.description}</span>
            </button>
          ))}
        </div>
        <p className="muted">…or drag layers from the palette on the left and connect them.</p>
      </div>
    </div>
  );
}
