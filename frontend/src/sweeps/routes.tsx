import { NewSweepPage } from "./NewSweepPage";
import { SweepPage } from "./SweepPage";
import { SweepsPage } from "./SweepsPage";

/** The sweep pages, spread into the app's router. */
export const sweepRoutes = [
  { path: "sweeps", element: <SweepsPage /> },
  { path: "sweeps/new", element: <NewSweepPage /> },
  { path: "sweeps/:id", element: <SweepPage /> },
];
