import { useEffect } from "react";
import { useEditor } from "./store";

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

/** Editor keyboard: Ctrl-S save, Ctrl-Z/Ctrl-Shift-Z undo/redo, Delete, Ctrl-C/V, "/" search. */
export function useShortcuts(save: () => void) {
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      const mod = ev.ctrlKey || ev.metaKey;
      const key = ev.key.toLowerCase();
      const ed = useEditor.getState();
      if (mod && key === "s") {
        ev.preventDefault();
        save();
        return;
      }
      if (typingIn(ev.target)) return;
      if (mod && key === "z") {
        ev.preventDefault();
        if (ev.shiftKey) ed.redo();
        else ed.undo();
      } else if (mod && key === "y") {
        ev.preventDefault();
        ed.redo();
      } else if (mod && key === "c") {
        ed.copy();
      } else if (mod && key === "v") {
        ev.preventDefault();
        ed.paste();
      } else if (mod && key === "a") {
        ev.preventDefault();
        ed.select(ed.nodes.map((n) => n.id));
      } else if (!mod && (ev.key === "Delete" || ev.key === "Backspace")) {
        ev.preventDefault();
        ed.deleteSelected();
      } else if (!mod && ev.key === "/") {
        ev.preventDefault();
        document.querySelector<HTMLInputElement>("[data-testid=palette-search]")?.focus();
      } else if (ev.key === "Escape") {
        ed.select([]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [save]);
}
