"""The systemd unit files in deploy/systemd pass `systemd-analyze verify`, run against this
checkout (their /opt/newsroom becomes the repository, so the ExecStart programs exist)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT

UNITS = REPO_ROOT / "deploy" / "systemd"

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (Debian package systemd; bin/test installs it)",
)


def install(tmp_path: Path, name: str, *, as_name: str | None = None, edit=lambda s: s) -> Path:
    text = (UNITS / name).read_text().replace("/opt/newsroom", str(REPO_ROOT))
    # The deployment's environment file does not exist on a test machine.
    text = text.replace("EnvironmentFile=/etc/", "EnvironmentFile=-/etc/")
    path = tmp_path / (as_name or name)
    path.write_text(edit(text))
    return path


def verify(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_role_has_a_unit_and_each_passes_systemd_analyze_verify(tmp_path):
    names = sorted(path.name for path in UNITS.glob("*.service"))
    assert names == [
        "newsroom-migrate.service",
        "newsroom-scheduler.service",
        "newsroom-web.service",
        "newsroom-worker@.service",
    ]
    paths = [install(tmp_path, name, as_name=name.replace("@.", "@1.")) for name in names]

    result = verify(*paths)

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    for name in names:
        assert "bin/run " in (UNITS / name).read_text()


def test_verify_catches_a_broken_unit(tmp_path):
    broken = install(
        tmp_path,
        "newsroom-web.service",
        edit=lambda s: s.replace("bin/run web", "bin/no-such-program web"),
    )

    result = verify(broken)

    assert result.returncode != 0
    assert "no-such-program" in result.stderr
