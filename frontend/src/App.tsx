import { createBrowserRouter, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { HomePage } from "./pages/HomePage";
import { DesignsPage } from "./pages/DesignsPage";
import { EditorPage } from "./pages/EditorPage";
import { DatasetsPage } from "./pages/DatasetsPage";
import { DatasetPage } from "./pages/DatasetPage";
import { RunsPage } from "./pages/RunsPage";
import { RunPage } from "./pages/RunPage";
import { NotFoundPage } from "./pages/NotFoundPage";

// A data router, so the editor can block in-app navigation while there are unsaved changes.
const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "designs", element: <DesignsPage /> },
      { path: "designs/:id", element: <EditorPage /> },
      { path: "datasets", element: <DatasetsPage /> },
      { path: "datasets/:id", element: <DatasetPage /> },
      { path: "runs", element: <RunsPage /> },
      { path: "runs/:id", element: <RunPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
