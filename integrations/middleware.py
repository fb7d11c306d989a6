"""Request bodies, bounded before anything reads them; chunked ones given their length.

Django reads a request body only as far as `CONTENT_LENGTH` says (`WSGIRequest` wraps
`wsgi.input` in a stream limited to it), so a `Transfer-Encoding: chunked` request, which has no
Content-Length, read as empty: the API answered a valid chunked JSON body with 400 "A title is
required." (issue 20). gunicorn decodes the chunks itself and marks its `wsgi.input` as ending
where the body ends (`wsgi.input_terminated`, the WSGI servers' convention for this), so the body
can be read to its end without a length: this middleware reads it, never more than the limit plus
one byte, and hands Django the bytes with their length. Everything after it (CSRF, forms, DRF's
parsers) then sees an ordinary body.

One limit per request, in bytes: `API_MAX_REQUEST_BYTES` under /api/, Django's
`DATA_UPLOAD_MAX_MEMORY_SIZE` elsewhere. A body over it is 413, declared (Content-Length) or
counted while reading (chunked), before the view runs. Field limits are another rule (characters,
400 naming the field, docs/api.md *Limits*).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, that this request may carry."""
    if request.path_info.startswith(API_PREFIX):
        return settings.API_MAX_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    # The API answers every error as JSON with a `detail` (docs/api.md); pages in plain text.
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return _refusal(request, 413, f"The request body is larger than {limit:,} bytes.")


class RequestBodyMiddleware:
    """Refuse a body over `body_limit` with 413 before it is read; read a chunked body (at most
    the limit plus one byte) and give the request its bytes and their length."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                return _refusal(request, 400, "Invalid Content-Length.")
            if length > limit:
                return too_large(request, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            if not request.META.get("wsgi.input_terminated"):
                # This server hands over the raw stream: nothing says where the body ends, and
                # reading on would wait for the client to close the connection.
                return _refusal(
                    request, 411, "Send a Content-Length: this server cannot read chunked bodies."
                )
            data = request.META["wsgi.input"].read(limit + 1)
            if len(data) > limit:
                return too_large(request, limit)
            request._stream = LimitedStream(io.BytesIO(data), len(data))
            request.META["CONTENT_LENGTH"] = str(len(data))
        return self.get_response(request)
