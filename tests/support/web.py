"""A real gunicorn serving the app, as a child process, for tests that need what only a real HTTP
server does (chunked request bodies, raw sockets). Django-free, like `processes`."""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.processes import (
    REPO_ROOT,
    ProcessError,
    _ManagedProcess,
    _tail,
    free_port,
    wait_until,
)


class Gunicorn(_ManagedProcess):
    """`gunicorn newsroom.wsgi:application` on 127.0.0.1, as in production: sync workers with
    threads (gthread). `env` is its complete environment (which database, which settings)."""

    label = "gunicorn"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        workers: int = 1,
        threads: int = 2,
        cwd: Path = REPO_ROOT,
    ) -> None:
        super().__init__(log_path=log_path, env=env, cwd=cwd)
        self.port = free_port()
        self.workers = workers
        self.threads = threads

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).parent / "gunicorn"), "newsroom.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread", "--threads", str(self.threads),
            "--graceful-timeout", "5",
            "--log-level", "info",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> Gunicorn:
        """Start, and wait until a worker accepts connections (the app is imported lazily, on the
        first request; that one may be slow)."""
        self._spawn()
        try:
            self.wait_for_log(r"Booting worker", timeout=timeout)
            wait_until(self._accepts, timeout=timeout, what=f"gunicorn on port {self.port}")
        except ProcessError:
            self.stop(timeout=2)
            raise ProcessError(f"gunicorn did not start:\n{_tail(self.log())}") from None
        return self

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False
