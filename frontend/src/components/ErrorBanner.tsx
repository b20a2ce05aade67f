import { ApiError, loginUrl } from "../api/client";

/** Shows an error the way a person can act on it: the server's message, and a sign-in link on 401/403. */
export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError?.message ?? (error instanceof Error ? error.message : String(error));
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <span>{message}</span>
      {apiError?.needsLogin && (
        <a className="btn btn-small" href={loginUrl()} data-testid="login-link">
          Sign in
        </a>
      )}
      {onDismiss && (
        <button className="btn-icon" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
