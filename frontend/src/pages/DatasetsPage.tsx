export function DatasetsPage() {
  return <div className="page"><h1>DatasetsPage</h1></div>;
}
