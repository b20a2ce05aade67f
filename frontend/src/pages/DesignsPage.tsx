export function DesignsPage() {
  return <div className="page"><h1>DesignsPage</h1></div>;
}
