"""Log records with their context, as JSON lines when LOG_FORMAT=json (settings.LOGGING).

Every record gets the id of the request being served (`X-Request-ID` when the caller sent a
usable one, else a fresh one, echoed in the response), the signed-in user's id, and the article
and extraction job the work is about (`articles.logcontext`, set by the tasks and by views that
address one article). Nothing here touches the database: a user is reported only once the request
has authenticated them.

Loaded by `logging.config` before the apps are ready: no model import at the top.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from articles import logcontext

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with `extra=` and is printed too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_CONTEXT = ("request_id", "user_id", "article_id", "job_id")


def _user_id(request: HttpRequest) -> int | None:
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:  # the session was not read yet: not worth a query in a log call
        return None
    return getattr(wrapped, "pk", None)


class ContextFilter(logging.Filter):
    """Adds request_id, user_id, article_id and job_id to every record (None when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", None) if request else None
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request) if request is not None else None
        if not hasattr(record, "article_id"):
            record.article_id = logcontext.article_id.get()
        if not hasattr(record, "job_id"):
            record.job_id = logcontext.job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context ids
    that are known, anything passed with `extra=`, and the exception with its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in _CONTEXT and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestContextMiddleware:
    """First in MIDDLEWARE: gives the request its id (`X-Request-ID` in and out) and makes it the
    context of every log line written while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        request.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        # Kept until the response is closed (`_forget_request`), not reset on the way out: Django
        # logs a 4xx or 5xx ("Not Found: ...") after the middleware has returned.
        current_request.set(request)
        logcontext.article_id.set(None)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        # The article a URL addresses: /articles/<pk>/..., /api/v1/articles/<pk>...
        match = request.resolver_match
        pk = kwargs.get("article_pk") or kwargs.get("article_id")
        if pk is None and match is not None and "article" in (match.url_name or ""):
            pk = kwargs.get("pk")
        if pk is not None:
            logcontext.article_id.set(pk)


@receiver(request_finished, dispatch_uid="integrations.logs.forget_request")
def _forget_request(**kwargs: Any) -> None:
    """The response is closed: later log lines of this thread belong to no request."""
    current_request.set(None)
    logcontext.article_id.set(None)
