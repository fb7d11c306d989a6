"""What the work in progress is about, for the log lines written meanwhile: the article and the
extraction job a task or a request works on (the request id and user are the web tier's, set by
integrations.logs). Django-free, so that anything may set it; integrations.logs reads it into
every log record (LOG_FORMAT=json prints it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

article_id: ContextVar[Any] = ContextVar("article_id", default=None)
job_id: ContextVar[Any] = ContextVar("job_id", default=None)


@contextlib.contextmanager
def log_context(*, article: Any = None, job: Any = None) -> Iterator[None]:
    """Within the block, log records carry `article` and `job` (ids, or lists of ids)."""
    tokens = []
    if article is not None:
        tokens.append((article_id, article_id.set(article)))
    if job is not None:
        tokens.append((job_id, job_id.set(job)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
