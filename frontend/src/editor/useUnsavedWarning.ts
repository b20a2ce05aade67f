import { useEffect, useRef } from "react";
import { useBlocker } from "react-router";
import { useEditor } from "./store";

/** Warns before leaving (tab close or in-app navigation) while there are unsaved changes. */
export function useUnsavedWarning(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (ev: BeforeUnloadEvent) => {
      ev.preventDefault();
      ev.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);

  // Read the store, not this render's `dirty`: a save marks the design clean and navigates at once
  // (new → /designs/<id>), before React renders again.
  const blocker = useBlocker(({ currentLocation, nextLocation }) => useEditor.getState().dirty && currentLocation.pathname !== nextLocation.pathname);
  // Ask once per blocked navigation attempt (each has its own location key); the blocker object
  // itself changes identity between renders.
  const current = useRef(blocker);
  current.current = blocker;
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    const b = current.current;
    if (window.confirm("You have unsaved changes. Leave anyway?")) b.proceed?.();
    else b.reset?.();
  }, [blocker.state, blocker.location?.key]);
}
