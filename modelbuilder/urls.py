"""URL routes: the JSON API under /api/, the admin, accounts pages, and the SPA for the rest."""

from django.contrib import admin
from django.urls import include, path, re_path

from modelbuilder.api import api
from modelbuilder.core.views import api_not_found, spa_asset, spa_index

urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    path("accounts/", include("modelbuilder.accounts.urls")),
]

# MEDIA_ROOT is never served: datasets and models leave only through the API, which checks the owner.
urlpatterns += [
    re_path(r"^assets/(?P<path>.+)$", spa_asset, name="spa-asset"),
    # Everything that is not API, admin, static, media or websocket is the single-page app.
    re_path(r"^(?!api/|admin/|static/|media/|ws/|assets/).*$", spa_index, name="spa"),
]
