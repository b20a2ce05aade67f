"""The one NinjaAPI instance, mounted at /api/. Each app adds its router with one line."""

from ninja import NinjaAPI

from modelbuilder.core.auth import api_auth
from modelbuilder.core.errors import install_exception_handlers

api = NinjaAPI(
    title="ModelBuilder",
    version="1.0.0",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_auth,  # every operation needs a user unless it says auth=None
)
install_exception_handlers(api)

api.add_router("/", "modelbuilder.core.api.router")
api.add_router("/", "modelbuilder.accounts.api.router")
api.add_router("/", "modelbuilder.datasets.api.router")
api.add_router("/", "modelbuilder.designs.api.router")
api.add_router("/", "modelbuilder.training.api.router")
api.add_router("/", "modelbuilder.training.api_resilience.router")
api.add_router("/", "modelbuilder.sweeps.api.router")
