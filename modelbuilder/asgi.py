"""ASGI entry point served by daphne: Django for HTTP, Channels for websockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelbuilder.settings")

# Django must be set up before the routing (and so the consumers and models) is imported.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from modelbuilder.core.origin import BrowserOriginValidator  # noqa: E402
from modelbuilder.core.ws_auth import WebsocketAuthStack  # noqa: E402
from modelbuilder.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": BrowserOriginValidator(WebsocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
