"""A real SMTP server for the email tests: aiosmtpd in a subprocess on 127.0.0.1, every message
it receives written as one .eml file into a directory the test reads.

- `smtp_server` (function scope): a started server; `.port`, `.messages()` (parsed
  `email.message.EmailMessage`s, oldest first), `.wait_for(n)`, `.stop()`, `.start()` again on
  the same port (the "server comes back" tests).
- `smtp_port`: a free port with no server on it yet (start one later with `start_smtp(port)`).
- `start_smtp`: factory for servers on a given port; all stopped when the test ends.
- `email_env(port)`: the environment a worker needs to send there; `mail_worker()` starts one
  that alone hears the test's messages.
"""

from __future__ import annotations

import email
import email.policy
import socket
import sys
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.processes import _ManagedProcess, free_port, wait_until

# The server: a few lines run with `python -c`, so that no module of ours is imported.
SERVER = r"""
import sys, time, uuid
from pathlib import Path
from aiosmtpd.controller import Controller

out = Path(sys.argv[2])

class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        tmp = out / (name + ".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(out / name)
        (out / (name + ".rcpt")).write_text("\n".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("SMTP ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
"""


class SMTPServer(_ManagedProcess):
    label = "smtp server"

    def __init__(self, *, port: int, maildir: Path, log_path: Path) -> None:
        super().__init__(log_path=log_path, env=None, cwd=maildir)
        self.port = port
        self.maildir = maildir
        maildir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [sys.executable, "-c", SERVER, str(self.port), str(self.maildir)]

    def start(self, timeout: float = 15.0) -> SMTPServer:
        self._spawn()
        self.wait_for_log(r"SMTP ready", timeout=timeout)
        wait_until(self._answers, timeout=timeout, what="the SMTP server to accept connections")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.maildir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            rcpt = path.with_name(path.name + ".rcpt")
            message.envelope_recipients = rcpt.read_text().split("\n") if rcpt.exists() else []
            found.append(message)
        return found

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[EmailMessage]:
        wait_until(
            lambda: len(self.messages()) >= count,
            timeout=timeout,
            interval=0.2,
            what=f"{count} email(s) at the test SMTP server",
        )
        return self.messages()


def email_env(port: int) -> dict[str, str]:
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_TIMEOUT": "3",
        "SITE_URL": "http://newsroom.test",
        # Retries that fit in a test's patience.
        "NOTIFICATION_EMAIL_BACKOFF_SECONDS": "0.5",
        "NOTIFICATION_EMAIL_BACKOFF_MAX_SECONDS": "1",
    }


@pytest.fixture
def start_smtp(tmp_path: Path) -> Iterator[Callable[[int], SMTPServer]]:
    started: list[SMTPServer] = []

    def start(port: int) -> SMTPServer:
        server = SMTPServer(
            port=port,
            maildir=tmp_path / f"mail-{port}",
            log_path=tmp_path / f"smtp-{port}-{len(started)}.log",
        )
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_server(start_smtp: Callable[[int], SMTPServer], smtp_port: int) -> SMTPServer:
    return start_smtp(smtp_port)


@pytest.fixture
def mail_worker(
    messages_reach_no_worker: None, start_worker, redis_server, smtp_port: int
) -> Callable[..., object]:
    """`mail_worker()` starts a Celery worker that sends email to the test SMTP server's port
    (started or not) and alone hears this test's messages (on a Redis database no other worker
    reads: `messages_reach_no_worker`)."""
    from urllib.parse import urlsplit, urlunsplit

    from tests.support.fixtures import UNHEARD_DATABASE

    unheard = urlunsplit(urlsplit(redis_server.url)._replace(path=f"/{UNHEARD_DATABASE}"))

    def start(**env: str):
        return start_worker(
            queues="default",
            name="mail",
            env={"REDIS_URL": unheard, **email_env(smtp_port), **env},
        )

    return start
