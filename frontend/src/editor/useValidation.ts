import { useEffect, useRef, useState } from "react";
import { designsApi } from "../api/resources";
import { toGraph } from "./graph";
import { useEditor } from "./store";

export const VALIDATE_DEBOUNCE_MS = 250;

/** Validates the graph on the server after every change (debounced); stale answers are dropped. */
export function useValidation(): unknown {
  const graphRev = useEditor((s) => s.graphRev);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    const { nodes, setValidation, validation } = useEditor.getState();
    if (nodes.length === 0) {
      setValidation(null, false);
      return;
    }
    setValidation(validation, true);
    const timer = setTimeout(() => {
      designsApi
        .validate(toGraph(useEditor.getState()))
        .then((v) => {
          if (mine !== seq.current) return;
          useEditor.getState().setValidation(v, false);
          setError(null);
        })
        .catch((err: unknown) => {
          if (mine !== seq.current) return;
          useEditor.getState().setValidation(useEditor.getState().validation, false);
          setError(err);
        });
    }, VALIDATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [graphRev]);

  return error;
}
