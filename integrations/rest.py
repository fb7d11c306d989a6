"""DRF plumbing of the whole API, named in settings.REST_FRAMEWORK: token authentication, the
strict JSON parser, the strict `?format=` negotiation, the write throttle, and the exception
handler that turns every error into JSON with a 4xx status.

Kept apart from `integrations.api`: DRF imports these classes while `rest_framework.views` is still
loading, so this module must not import DRF's views (or anything that does) at the top.
"""

from __future__ import annotations

import codecs
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from articles import permissions
from articles.services import GateClosed, InvalidTransition
from integrations import cache, services, throttles
from integrations.models import hash_key
from newsroom.celery import redis_breaker

logger = logging.getLogger(__name__)


# --- Authentication -----------------------------------------------------------------------------


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`) with a key from integrations.ApiToken.

    A request without such a header is left to the next class (the browser session); a header
    with a wrong, revoked or malformed key is refused with 401, never silently anonymous.

    The token row, its user and the user's roles are remembered per key for as long as the data
    version stays the same (integrations/cache.py): revoking the token, deactivating the user or
    changing their roles changes the version, so the next request reads them again. No bound to
    wait for: a revocation holds from the request after it commits."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send `Authorization: Bearer <token>`."
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = self._token(request, raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        return token.user, token

    def _token(self, request: Any, raw: str) -> Any:
        version = cache.data_version(request)
        key = None
        if version is not None and raw and len(raw) <= 200:
            key = f"token:{hash_key(raw)}"
            cached = caches["api"].get(key)
            if cached is not None and cached[0] == version:
                token = cached[1]
                if self._touch(token):
                    caches["api"].set(key, cached)
                return token
        token = services.find_api_token(raw)
        if token is None:
            return None
        if token.revoked_at is None and token.user.is_active:
            permissions.is_editor(token.user)  # reads the roles once; they are kept on the user
        self._touch(token)
        if key is not None:
            caches["api"].set(key, (version, token))
        return token

    @staticmethod
    def _touch(token: Any) -> bool:
        """Record the use (once a minute, `services.touch_api_token`); True if it wrote."""
        if token.revoked_at is not None:
            return False
        before = token.last_used_at
        services.touch_api_token(token)
        return token.last_used_at != before

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


# --- Parsing ------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class StrictJSONParser(JSONParser):
    """JSON bodies, whose size `integrations.middleware.RequestBodyMiddleware` has bounded
    before any of it was read (413 over `API_MAX_REQUEST_BYTES`, chunked bodies included).
    NaN/Infinity, numbers too long to convert and nesting too deep are parse errors (400), like
    any invalid JSON."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}"[:300]) from None


# --- Content negotiation ------------------------------------------------------------------------


class StrictContentNegotiation(DefaultContentNegotiation):
    """`?format=` naming a format the endpoint does not render is a 400 that lists the formats it
    does (DRF answers 404, as if the resource did not exist); an empty `?format=` is a 400 too
    (DRF ignores it). A format suffix in the path (`/articles.xml`) is part of the path and stays
    a 404."""

    def select_renderer(
        self, request: Any, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        param = self.settings.URL_FORMAT_OVERRIDE
        if param and not format_suffix and param in request.query_params:
            wanted = request.query_params.get(param)
            if getattr(request, "_format_refused", False):
                # The 400 itself is being rendered: in JSON, as every error of the API (DRF
                # would take the first renderer, YAML on the schema endpoint).
                renderer = next((r for r in renderers if "json" in r.media_type), renderers[0])
                return renderer, renderer.media_type
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            message = None
            if not wanted:
                message = f"Give a format ({formats}), or leave the parameter out."
            elif not any(renderer.format == wanted for renderer in renderers):
                message = f"Unknown format {wanted[:40]!r}: this endpoint answers {formats}."
            if message is not None:
                request._format_refused = True
                raise exceptions.ValidationError({param: [message]})
        return super().select_renderer(request, renderers, format_suffix)


# --- Throttling ---------------------------------------------------------------------------------


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "120/min" → (120, 60). None or "" disables the throttle."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    try:
        return int(count), _UNITS[period.strip()[0].lower()]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"API_WRITE_RATE must look like 120/min, got {rate!r}") from None


class WriteRateThrottle(BaseThrottle):
    """Write requests (POST, PUT, PATCH, DELETE) per user, `settings.API_WRITE_RATE`, counted in
    the shared "throttle" cache (Redis) so every web worker sees the same count.

    A fixed window aligned to the clock: one INCR per request (atomic across workers), the key
    expiring with its window. A burst may reach twice the rate across a window boundary, which is
    what the limit is for: a runaway client, not precise metering. If Redis does not answer, the
    request is let through and the failure logged: the limit protects the app, it must not take
    it down. Short timeouts and the circuit breaker of newsroom/celery.py keep that cheap."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        configured, who = throttles.write_limit(request, ident=self.get_ident)
        rate = parse_rate(configured)
        if rate is None:
            return True
        limit, period = rate
        now = time.time()
        window = int(now // period)
        cache = caches["throttle"]
        key = cache.make_and_validate_key(f"write:{who}:{period}:{window}")
        # The cache's own short timeouts (settings.REDIS_SOCKET_TIMEOUT) bound one call; the
        # breaker shared with the doorbells skips Redis for a while after one failed.
        breaker = redis_breaker(settings.CACHES["throttle"]["LOCATION"])
        if not breaker.allow():
            return True
        try:
            client = cache._cache.get_client(key, write=True)
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, period + 1)
            count = pipe.execute()[0]
        except Exception as error:  # noqa: BLE001 - redis-py raises many types per outage
            breaker.failed(error, what="counting a write for the API throttle (let through)")
            return True
        breaker.succeeded()
        if count > limit:
            self._wait = max(1.0, period - (now % period))
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


# --- Errors -------------------------------------------------------------------------------------


def _summary(errors: Any) -> str:
    """The first message of each field, in one line: `title: A title is required.`"""
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            first = messages[0] if isinstance(messages, list) and messages else messages
            if isinstance(first, dict):
                first = _summary(first)
            parts.append(f"{field}: {first}" if field != "non_field_errors" else str(first))
        return " ".join(parts) or "Invalid input."
    if isinstance(errors, list) and errors:
        return str(errors[0])
    return "Invalid input."


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(k): v if isinstance(v, (list, dict)) else [v] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API as JSON: `{"detail": ...}`, with `errors` per field for 400 and the
    gate's numbers for a publish the gate refused. Domain errors of the services map to
    400 (ValidationError), 403 (PermissionDenied), 404 (Http404), 409 (InvalidTransition)."""
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, ValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response({"detail": _summary(errors), "errors": errors}, status=400)
    if isinstance(exc, GateClosed):
        gate = exc.gate
        body = {
            "detail": str(exc),
            "gate": {"total": gate.total, "pending": gate.pending, "unverified": gate.unverified},
        }
        return Response(body, status=409)
    if isinstance(exc, InvalidTransition):
        return Response({"detail": str(exc)}, status=409)
    if isinstance(exc, Http404):
        message = str(exc) if exc.args else "Not found."
        return Response({"detail": message}, status=404)
    if isinstance(exc, PermissionDenied):
        message = str(exc) if exc.args else "You may not do this."
        return Response({"detail": message}, status=403)

    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        response.data = {"detail": _summary(errors), "errors": errors}
    elif not (isinstance(response.data, dict) and "detail" in response.data):
        response.data = {"detail": _summary(response.data)}
    if response.status_code == 400 and "errors" not in response.data:
        # A body that does not parse: every 400 has the same shape.
        response.data["errors"] = {"non_field_errors": [str(response.data["detail"])]}
    return response
