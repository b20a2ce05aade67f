import { useEffect } from "react";
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

  // Ask inside the blocker function, once per navigation attempt and synchronously: no dialog can
  // race a re-render. Read the store, not this render's `dirty`: a save marks the design clean and
  // navigates at once (new → /designs/<id>), before React renders again.
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      useEditor.getState().dirty &&
      currentLocation.pathname !== nextLocation.pathname &&
      !window.confirm("You have unsaved changes. Leave anyway?"),
  );
  useEffect(() => {
    if (blocker.state === "blocked") blocker.reset();
  }, [blocker]);
}
