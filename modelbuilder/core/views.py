"""The single-page app: frontend/dist/index.html for every non-API path, its files beside it."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from modelbuilder.core.errors import error_response

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ModelBuilder</title></head>
<body><h1>ModelBuilder</h1>
<p>The frontend has not been built yet. Run <code>make run</code> (or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>) and reload this page.</p>
<p>The API is up: <a href="/api/health">/api/health</a>, <a href="/api/docs">/api/docs</a>.</p>
</body></html>
"""


def _dist() -> Path:
    return Path(settings.FRONTEND_DIST)


def _file_in(base: Path, relative: str) -> Path | None:
    """base/relative when it is a file inside base (no escaping with .. or links)."""
    base = base.resolve()
    candidate = (base / relative).resolve()
    if candidate.is_file() and candidate.is_relative_to(base):
        return candidate
    return None


@require_GET
def spa_asset(request, path: str):
    """Vite's hashed build files (/assets/...): cached for a year."""
    found = _file_in(_dist() / "assets", path)
    if found is None:
        raise Http404("no such asset")
    response = FileResponse(found.open("rb"))
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@ensure_csrf_cookie
@require_GET
def spa_index(request, *args, **kwargs):
    """index.html (never cached), or a top-level file of the build such as /favicon.svg."""
    path = request.path.lstrip("/")
    if path:
        found = _file_in(_dist(), path)
        if found is not None and found.name != "index.html":
            return FileResponse(found.open("rb"))
    index = _dist() / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT_PAGE)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def api_not_found(request, *args, **kwargs):
    return error_response("not_found", f"No API endpoint at {request.path}.", 404)
