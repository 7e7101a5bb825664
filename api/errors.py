"""Every API error as JSON: {"code": ..., "message": ..., "fields": {...}}, the message in the
caller's language (Accept-Language, or the language the person chose)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.workflow import StepConflict, StepError, StepForbidden


class StepRefused(exceptions.APIException):
    """A step the services refused: 400, or 403 when the rule does not let the person take it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "step_refused"

    def __init__(self, message: str, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(message, self.default_code if status_code == 400 else "forbidden")
        self.status_code = status_code


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _messages(detail) -> list[str] | dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            found = _messages(item)
            if isinstance(found, dict):
                return [found]
            flat += found
        return flat
    return [str(detail)]


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, StepConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, StepForbidden):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, StepError):
        exc = StepRefused(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or you may not see it."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _messages(exc.detail)
        fields = detail if isinstance(detail, dict) else {}
        general = fields.pop("non_field_errors", []) if fields else detail
        message = " ".join(general) if general else _("Some fields are not valid.")
        response.data = body("invalid", message, fields)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        if isinstance(exc, exceptions.NotAuthenticated):
            message = _("Sign in, or send a personal access token as “Authorization: Bearer <token>”.")
        elif isinstance(exc, exceptions.Throttled):
            message = _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": exc.wait or 1}
        else:
            message = str(exc.detail)
        response.data = body(code, message)
    return response


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, not the pages' HTML one."""
    return JsonResponse(body("not_found", _("There is no such API address.")), status=404)
