"""One error shape for the whole API:

    {"error": {"code": "...", "message": "...", "details": {...}}}


Services raise `ApplicationError(message, code=..., status=4xx, details=...)`; the handlers
installed on the NinjaAPI turn it and every framework error into that shape:

    ApplicationError            its own status and code
    ninja ValidationError       422, code "validation_error", details {"errors": [...]}
    AuthenticationError         401, code "unauthorized"
    AuthorizationError / PermissionDenied   403, code "forbidden"
    Http404 / ObjectDoesNotExist 404, code "not_found"
    HttpError (other)           its status, code "http_error" (e.g. 403 on a failed CSRF check)
    anything else               500, code "internal_error" (logged; never for bad input)
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """An expected failure with a client-facing message (bad input, forbidden, not found, ...)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int = 400,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details or {}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    code: str, message: str, status: int, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _json_safe_errors(errors: Any) -> list[dict[str, Any]]:
    safe = []
    for err in errors or []:
        if isinstance(err, dict):
            item = {k: v for k, v in err.items() if k in {"type", "loc", "msg"}}
            item["loc"] = [str(part) for part in item.get("loc", [])]
            safe.append(item)
        else:
            safe.append({"msg": str(err)})
    return safe


def install_exception_handlers(api: NinjaAPI) -> None:
    """Register the handlers that give every API error the one shape."""

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError):
        return error_response(exc.code, exc.message, exc.status, exc.details)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError):
        return error_response(
            "validation_error",
            "The request is not valid.",
            422,
            {"errors": _json_safe_errors(exc.errors)},
        )

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
        return error_response("unauthorized", "Authentication required.", 401)

    @api.exception_handler(AuthorizationError)
    def on_authorization_error(request: HttpRequest, exc: AuthorizationError):
        return error_response("forbidden", str(exc.message) or "Forbidden.", 403)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied):
        return error_response("forbidden", str(exc) or "Forbidden.", 403)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError):
        return error_response("http_error", str(exc.message), exc.status_code)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404):
        return error_response("not_found", str(exc) or "Not found.", 404)

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist):
        return error_response("not_found", "Not found.", 404)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception):
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return error_response("internal_error", "Internal server error.", 500)
