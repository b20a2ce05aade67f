import { useReactFlow } from "@xyflow/react";
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { LayerSpec } from "../api/types";
import { DRAG_MIME } from "./Canvas";
import { useEditor } from "./store";

const GROUP_ORDER = ["input", "core", "convolution", "pooling", "normalization", "regularization", "recurrent", "merge", "reshaping", "embedding", "advanced"];

export function groupLayers(layers: LayerSpec[], query: string): [string, LayerSpec[]][] {
  const q = query.trim().toLowerCase();
  const hits = layers.filter((l) => !q || l.name.toLowerCase().includes(q) || l.group.toLowerCase().includes(q) || (l.help ?? "").toLowerCase().includes(q));
  const groups = new Map<string, LayerSpec[]>();
  for (const l of hits) groups.set(l.group, [...(groups.get(l.group) ?? []), l]);
  const rank = (g: string) => (GROUP_ORDER.indexOf(g) + 1 || 99);
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

export function Palette() {
  const catalog = useEditor((s) => s.catalog);
  const addLayer = useEditor((s) => s.addLayer);
  const [query, setQuery] = useState("");
  const { screenToFlowPosition } = useReactFlow();
  const searchRef = useRef<HTMLInputElement>(null);
  const groups = useMemo(() => groupLayers([...catalog.values()], query), [catalog, query]);

  // Click or Enter adds the layer in the middle of the visible canvas.
  const addAtCenter = (layer: string) => {
    const el = document.querySelector(".canvas")?.getBoundingClientRect();
    const p = screenToFlowPosition(el ? { x: el.left + el.width / 2, y: el.top + el.height / 2 } : { x: 400, y: 300 });
    addLayer(layer, { x: p.x - 90 + Math.random() * 40, y: p.y - 25 + Math.random() * 40 });
  };
  const onSearchKey = (ev: KeyboardEvent) => {
    const first = groups[0]?.[1][0];
    if (ev.key === "Enter" && first) addAtCenter(first.name);
    if (ev.key === "Escape") setQuery("");
  };

  return (
    <aside className="palette" data-testid="palette">
      <input
        ref={searchRef}
        className="palette-search"
        placeholder="Search layers…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onSearchKey}
        data-testid="palette-search"
        aria-label="Search layers"
      />
      <div className="palette-groups">
        {catalog.size === 0 && <div className="muted pad">Loading layers…</div>}
        {catalog.size > 0 && groups.length === 0 && <div className="muted pad">No layer matches “{query}”.</div>}
        {groups.map(([group, layers]) => (
          <section key={group} className="palette-group">
            <h4>{group}</h4>
            {layers.map((l) => (
              <div
                key={l.name}
                className={`palette-item group-${l.group}`}
                draggable
                tabIndex={0}
                role="button"
                title={l.help}
                data-testid={`palette-${l.name}`}
                onDragStart={(ev) => {
                  ev.dataTransfer.setData(DRAG_MIME, l.name);
                  ev.dataTransfer.setData("text/plain", l.name);
                  ev.dataTransfer.effectAllowed = "copy";
                }}
                onDoubleClick={() => addAtCenter(l.name)}
                onKeyDown={(ev) => ev.key === "Enter" && addAtCenter(l.name)}
              >
                {l.name}
              </div>
            ))}
          </section>
        ))}
      </div>
      <div className="palette-hint muted">Drag onto the canvas, or double-click / Enter to add.</div>
    </aside>
  );
}
