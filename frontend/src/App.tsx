import { lazy, Suspense, type ComponentType } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loading";
import { HomePage } from "./pages/HomePage";
import { DesignsPage } from "./pages/DesignsPage";
import { DatasetsPage } from "./pages/DatasetsPage";
import { DatasetPage } from "./pages/DatasetPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { sweepRoutes } from "./sweeps/routes";

// The editor (React Flow) and the run pages (uPlot) load on first use, so the rest opens fast.
function deferred(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return (
    <Suspense fallback={<div className="page"><Loading /></div>}>
      <Page />
    </Suspense>
  );
}
const editor = deferred(() => import("./pages/EditorPage").then((m) => ({ default: m.EditorPage })));
const runs = deferred(() => import("./pages/RunsPage").then((m) => ({ default: m.RunsPage })));
const run = deferred(() => import("./pages/RunPage").then((m) => ({ default: m.RunPage })));

// A data router, so the editor can block in-app navigation while there are unsaved changes.
const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "designs", element: <DesignsPage /> },
      { path: "designs/:id", element: editor },
      { path: "datasets", element: <DatasetsPage /> },
      { path: "datasets/:id", element: <DatasetPage /> },
      { path: "runs", element: runs },
      { path: "runs/:id", element: run },
      ...sweepRoutes,
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
