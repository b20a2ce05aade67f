import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p className="muted">
        Nothing lives at this address. <Link to="/">Go home</Link>.
      </p>
    </div>
  );
}
