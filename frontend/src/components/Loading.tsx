export function Loading({ what = "Loading" }: { what?: string }) {
  return <div className="muted loading">{what}…</div>;
}
