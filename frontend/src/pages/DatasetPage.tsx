export function DatasetPage() {
  return <div className="page"><h1>DatasetPage</h1></div>;
}
