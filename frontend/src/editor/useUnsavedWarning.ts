import { useEffect } from "react";
import { useBlocker } from "react-router";

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

  // Same page with another id (after the first save of a new design) is not "leaving".
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname && !currentLocation.pathname.endsWith("/new"));
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm("You have unsaved changes. Leave anyway?")) blocker.proceed();
    else blocker.reset();
  }, [blocker]);
}
