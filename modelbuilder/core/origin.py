"""Websocket Origin check: browsers must come from an allowed host; scripts send no Origin at all.

Channels' ``AllowedHostsOriginValidator`` refuses a handshake without an Origin header, which locks out
scripts that authenticate with ``Authorization: Bearer``. A missing Origin cannot come from a web page
(browsers always send it on websocket handshakes), so it carries no cross-site risk: let it through and
leave authentication to the consumers. A present Origin is still checked against ALLOWED_HOSTS.
"""

from channels.security.websocket import AllowedHostsOriginValidator


class BrowserOriginValidator:
    def __init__(self, application):
        self.application = application
        self.checked = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        has_origin = any(name == b"origin" for name, _ in scope.get("headers", []))
        target = self.checked if has_origin else self.application
        return await target(scope, receive, send)
