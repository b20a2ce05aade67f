import { getCookie, loginUrl } from "../api/client";
import { loadMe } from "../lib/me";
import { useAsync } from "../lib/useAsync";

/** Who is signed in (GET /api/me), with sign-in / sign-out links. */
export function UserMenu() {
  const me = useAsync(loadMe, []);
  if (me.loading) return null;
  if (!me.data)
    return (
      <a href={loginUrl()} data-testid="nav-login">
        Sign in
      </a>
    );
  return (
    <span className="row gap" data-testid="nav-user">
      <a href="/accounts/tokens/" title="API tokens for scripts">
        {me.data.username}
      </a>
      {me.data.is_staff && <a href="/admin/">Admin</a>}
      <form method="post" action="/accounts/logout/" className="inline-form">
        <input type="hidden" name="csrfmiddlewaretoken" value={getCookie("csrftoken") ?? ""} />
        <button type="submit" className="linkbutton" data-testid="nav-logout">
          Sign out
        </button>
      </form>
    </span>
  );
}
