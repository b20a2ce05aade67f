// Small derived reads of the editor store, shared by components.
import type { Shape, ValidationError } from "../api/types";
import type { EditorState } from "./store";

export const errorsFor = (s: EditorState, id: string): ValidationError[] => s.validation?.errors.filter((e) => e.node === id) ?? [];
export const warningsFor = (s: EditorState, id: string): ValidationError[] => s.validation?.warnings?.filter((e) => e.node === id) ?? [];
export const shapeOf = (s: EditorState, id: string): Shape | Shape[] | null | undefined => s.validation?.shapes?.[id];
export const selectedNodes = (s: EditorState) => s.nodes.filter((n) => n.selected);
