"""Real processes for the integration tests: a private Redis, Celery workers and Celery beat.

Django-free on purpose: these helpers only start programs, wait for them and stop them, so they
can be used from fixtures, from a benchmark or from a Python shell alike.

Every wait is bounded in time, and every process started here is stopped at interpreter exit even
when a test or a fixture finalizer did not get to it (`atexit`). Each child runs in its own process
group, so stopping it also reaches what it forked (Celery's pool processes).
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_START_TIMEOUT = 60.0
DEFAULT_STOP_TIMEOUT = 15.0

_counter = itertools.count(1)
_live: dict[int, _ManagedProcess] = {}


class ProcessError(RuntimeError):
    """A helper process failed to start, or did not do what was waited for in time."""


# --- small utilities ----------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.05,
    what: str = "condition",
) -> object:
    """Poll `predicate` until it returns something truthy; raise ProcessError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise ProcessError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(interval)


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None if there is no such process.

    The command name sits in parentheses and may itself contain spaces and parentheses, so the
    line is split after the last ')'. Index 0 is then the state, index 1 the parent pid.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rfind(")") + 2 :].split()


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    fields = _proc_stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def child_pids(parent: int) -> list[int]:
    """Live direct children of `parent`, read from /proc (no psutil)."""
    children = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields and fields[0] not in ("Z", "X") and int(fields[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def wait_gone(pids: Iterable[int], *, timeout: float = 10.0) -> None:
    """Wait until none of `pids` is alive; raise ProcessError naming the survivors otherwise."""
    pids = list(pids)
    try:
        wait_until(lambda: not any(pid_alive(p) for p in pids), timeout=timeout, what="exit")
    except ProcessError:
        survivors = [p for p in pids if pid_alive(p)]
        raise ProcessError(f"processes still alive after {timeout:.1f}s: {survivors}") from None


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:
    """Run in the child before exec: the kernel SIGKILLs it when the test process dies.

    atexit and fixture finalizers do not run when pytest itself is killed (a CI time limit, a
    SIGKILL); this way no Redis or worker outlives the run anyway (Linux' PR_SET_PDEATHSIG).
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# --- a managed child process --------------------------------------------------------------------


class _ManagedProcess:
    """A child in its own process group, its output in a log file."""

    label = "process"

    def __init__(self, *, log_path: Path, env: Mapping[str, str] | None, cwd: Path) -> None:
        self.log_path = Path(log_path)
        self.env = dict(os.environ if env is None else env)
        self.cwd = Path(cwd)
        self.process: subprocess.Popen[bytes] | None = None

    # Subclasses say what to run.
    def command(self) -> list[str]:
        raise NotImplementedError

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ProcessError(f"{self.label} is not started")
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _spawn(self) -> None:
        if self.running():
            raise ProcessError(f"{self.label} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() reaches forked children too
                preexec_fn=_die_with_parent,
            )
        _live[id(self)] = self

    def log(self) -> str:
        """Everything the process wrote so far (stdout and stderr together)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(
        self, pattern: str, *, timeout: float = DEFAULT_START_TIMEOUT
    ) -> re.Match[str]:
        """Wait until the log matches `pattern` (a regex); fail early if the process exits."""
        regex = re.compile(pattern, re.MULTILINE)

        def matched() -> re.Match[str] | None:
            found = regex.search(self.log())
            if found:
                return found
            if not self.running():
                code = self.process.returncode if self.process else None
                raise ProcessError(
                    f"{self.label} exited with {code} before its log matched {pattern!r}:\n"
                    f"{_tail(self.log())}"
                )
            return None

        try:
            return wait_until(matched, timeout=timeout, interval=0.1, what=f"{pattern!r}")
        except ProcessError as error:
            if "timed out" in str(error):
                raise ProcessError(f"{self.label}: {error}\n{_tail(self.log())}") from None
            raise

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the main process only (not to its process group)."""
        if self.running():
            os.kill(self.pid, sig)

    def wait_exit(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> int:
        """Wait for the main process to exit and reap it; returns its exit code."""
        if self.process is None:
            raise ProcessError(f"{self.label} is not started")
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ProcessError(
                f"{self.label} (pid {self.pid}) did not exit in {timeout:.1f}s"
            ) from None

    def _killpg(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """SIGTERM, then SIGKILL to the whole process group after `timeout` seconds. Idempotent."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._killpg(signal.SIGKILL)
                self.process.wait(timeout=10)
        # Whatever the main process forked and left behind goes too.
        self._killpg(signal.SIGKILL)
        _live.pop(id(self), None)


# --- Redis --------------------------------------------------------------------------------------


class RedisServer(_ManagedProcess):
    """A private `redis-server` on 127.0.0.1, its data in its own directory.

    `aof=True` turns the append-only file on. `appendfsync` defaults to "always" so that a key
    written before a SIGKILL is on disk when the test restarts the server (deterministic); pass
    "everysec" to behave like a production Redis. RDB snapshots are off (`save ""`), so without AOF
    nothing survives a restart.
    """

    label = "redis-server"

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        port: int | None = None,
        aof: bool = False,
        appendfsync: str = "always",
        binary: str = "redis-server",
        host: str = "127.0.0.1",
    ) -> None:
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="newsroom-redis-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(log_path=self.data_dir / "redis.log", env=None, cwd=self.data_dir)
        self.host = host
        self.port = port or free_port(host)
        self._fixed_port = port is not None
        self.aof = aof
        self.appendfsync = appendfsync
        self.binary = binary

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def command(self) -> list[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", self.host,
            "--dir", str(self.data_dir),
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "yes" if self.aof else "no",
            "--appendfsync", self.appendfsync,
            "--logfile", str(self.log_path),
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start and wait until it answers PING. A port taken meanwhile is retried on a new one."""
        for attempt in range(3):
            self._spawn()
            try:
                state = wait_until(
                    lambda: "up" if self.ping() else ("exited" if not self.running() else None),
                    timeout=timeout,
                    what=f"redis-server on port {self.port} to answer PING",
                )
            except ProcessError:
                self.stop(timeout=2)
                raise ProcessError(f"redis-server did not start:\n{_tail(self.log())}") from None
            if state == "up":
                return self
            _live.pop(id(self), None)
            if self._fixed_port or attempt == 2:
                raise ProcessError(f"redis-server exited at start:\n{_tail(self.log())}")
            self.port = free_port(self.host)
        raise AssertionError("unreachable")

    def ping(self) -> bool:
        try:
            return self.command_reply("PING") == "+PONG"
        except OSError:
            return False

    def command_reply(self, *args: str, timeout: float = 2.0) -> str:
        """Send one command in Redis' wire format; return the first line of the reply."""
        payload = f"*{len(args)}\r\n".encode()
        for arg in args:
            data = arg.encode()
            payload += b"$%d\r\n%s\r\n" % (len(data), data)
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall(payload)
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.decode(errors="replace").split("\r\n", 1)[0]

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """Graceful: SHUTDOWN (Redis writes and syncs its AOF first), SIGTERM/SIGKILL as fallback."""
        if self.running():
            try:
                self.command_reply("SHUTDOWN")
            except OSError:
                pass  # the server closes the connection as it goes down; that is the success case
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        super().stop(timeout=timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the server (SIGKILL: no chance to sync anything) and reap it."""
        super().kill(sig)
        if self.process is not None:
            self.wait_exit()

    def restart(self, *, graceful: bool = True, timeout: float = 10.0) -> RedisServer:
        """Stop (SHUTDOWN, or SIGKILL when not graceful) and start on the same port and directory."""
        self._fixed_port = True
        if graceful:
            self.stop()
        else:
            self.kill()
        return self.start(timeout=timeout)


# --- Celery -------------------------------------------------------------------------------------


class CeleryWorker(_ManagedProcess):
    """`celery -A newsroom worker` with the prefork pool, as a child process.

    `env` is the complete environment of the worker (it decides which database and which Redis the
    worker sees); `hostname` is unique per worker so `app.control` can address it.
    """

    label = "celery worker"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        concurrency: int = 1,
        queues: str = "extraction,default",
        name: str = "test-worker",
        loglevel: str = "info",
        app: str = "newsroom",
        cwd: Path = REPO_ROOT,
        extra_args: Iterable[str] = (),
    ) -> None:
        super().__init__(log_path=log_path, env=env, cwd=cwd)
        self.concurrency = concurrency
        self.queues = queues
        self.hostname = f"{name}-{os.getpid()}-{next(_counter)}@{socket.gethostname()}"
        self.loglevel = loglevel
        self.app = app
        self.extra_args = list(extra_args)
        self.label = f"celery worker {self.hostname}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", self.app, "worker",
            "-Q", self.queues,
            "--pool", "prefork",
            "--concurrency", str(self.concurrency),
            "-l", self.loglevel,
            "--without-gossip", "--without-mingle",
            "-n", self.hostname,
            *self.extra_args,
        ]  # fmt: skip

    def start(self) -> CeleryWorker:
        self._spawn()
        return self

    def wait_ready(self, timeout: float = DEFAULT_START_TIMEOUT) -> CeleryWorker:
        """Wait for the worker's "<hostname> ready." log line and for its full pool of processes."""
        self.wait_for_log(rf"{re.escape(self.hostname)} ready\.", timeout=timeout)
        wait_until(
            lambda: len(self.pool_pids()) >= self.concurrency,
            timeout=timeout,
            what=f"{self.concurrency} pool processes of {self.hostname}",
        )
        return self

    def pool_pids(self) -> list[int]:
        """Pids of the pool (prefork) processes: the live children of the main process."""
        if not self.running():
            return []
        return child_pids(self.pid)

    def kill_pool(self, sig: int = signal.SIGKILL) -> list[int]:
        """Send `sig` to every pool process; returns the pids signalled."""
        pids = self.pool_pids()
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return pids


class CeleryBeat(_ManagedProcess):
    """`celery -A newsroom beat` with its schedule file where the caller says."""

    label = "celery beat"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        schedule_path: Path,
        loglevel: str = "info",
        app: str = "newsroom",
        cwd: Path = REPO_ROOT,
    ) -> None:
        super().__init__(log_path=log_path, env=env, cwd=cwd)
        self.schedule_path = Path(schedule_path)
        self.loglevel = loglevel
        self.app = app

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", self.app, "beat",
            "-l", self.loglevel,
            "-s", str(self.schedule_path),
        ]  # fmt: skip

    def start(self) -> CeleryBeat:
        self._spawn()
        return self

    def wait_ready(self, timeout: float = DEFAULT_START_TIMEOUT) -> CeleryBeat:
        self.wait_for_log(r"beat: Starting\.\.\.", timeout=timeout)
        return self


# --- gunicorn -----------------------------------------------------------------------------------


class Gunicorn(_ManagedProcess):
    """`gunicorn newsroom.wsgi` with sync workers on 127.0.0.1, as bin/run starts it.

    `env` is its complete environment (the test database and Redis, as for a worker). Used where
    what a test asserts is the web tier itself: requests that block its workers, say.
    """

    label = "gunicorn"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        workers: int = 2,
        cwd: Path = REPO_ROOT,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(log_path=log_path, env=env, cwd=cwd)
        self.workers = workers
        self.host = host
        self.port = free_port(host)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "newsroom.wsgi:application",
            "--bind", f"{self.host}:{self.port}",
            "--workers", str(self.workers),
            "--log-level", "info",
        ]  # fmt: skip

    def start(self, timeout: float = DEFAULT_START_TIMEOUT) -> Gunicorn:
        """Start and wait until every worker has booted."""
        self._spawn()
        wait_until(
            lambda: (
                len(re.findall(r"Booting worker with pid", self.log())) >= self.workers
                or not self.running()
            ),
            timeout=timeout,
            what=f"{self.workers} gunicorn workers",
        )
        if not self.running():
            raise ProcessError(f"gunicorn exited at start:\n{_tail(self.log())}")
        return self


@atexit.register
def stop_all() -> None:
    """Stop every process these helpers started and nobody stopped (a crashed test run, say)."""
    for proc in list(_live.values()):
        try:
            proc.stop(timeout=5)
        except Exception:  # noqa: BLE001 - best effort at exit; the next one must still be stopped
            pass
