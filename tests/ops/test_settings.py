"""Production settings: a shared secret key is required; paths come from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import REPO_ROOT

PRINT = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.SECRET_KEY); print(settings.STATIC_ROOT); print(settings.MEDIA_ROOT); "
    "print(settings.CELERY_BEAT_SCHEDULE_FILENAME); print(settings.VAR_DIR); "
    "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS')); "
    "print(settings.DATABASES['default'].get('CONN_MAX_AGE'))"
)


def run(env: dict[str, str], code: str = PRINT) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "NEWSROOM_", "STATIC_", "MEDIA_", "BEAT_"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run({"NEWSROOM_ENV": "production"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE" in result.stderr


def test_the_same_command_starts_outside_production_on_the_local_fallback():
    result = run({})

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "django-insecure-local-only-do-not-deploy"


def test_manage_py_refuses_to_run_in_production_without_a_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env={**os.environ, "NEWSROOM_ENV": "production", "DJANGO_SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "Refusing to start" in result.stderr


def test_production_reads_the_key_from_a_file_and_every_path_from_the_environment(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-key-every-machine-shares-0123456789-abcdefghijklmnopqrstuvwxyz\n")

    result = run(
        {
            "NEWSROOM_ENV": "production",
            "DJANGO_SECRET_KEY_FILE": str(key_file),
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "BEAT_SCHEDULE_PATH": str(tmp_path / "beat" / "schedule"),
            "NEWSROOM_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
            "DISABLE_SERVER_SIDE_CURSORS": "true",
            "CONN_MAX_AGE": "0",
        }
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "a-key-every-machine-shares-0123456789-abcdefghijklmnopqrstuvwxyz",
        str(tmp_path / "static"),
        str(tmp_path / "media"),
        str(tmp_path / "beat" / "schedule"),
        str(tmp_path / "var"),
        "True",
        "0",
    ]


def test_an_unreadable_or_empty_key_file_is_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")

    missing = run({"NEWSROOM_ENV": "production", "DJANGO_SECRET_KEY_FILE": str(tmp_path / "no")})
    blank = run({"NEWSROOM_ENV": "production", "DJANGO_SECRET_KEY_FILE": str(empty)})

    assert missing.returncode != 0 and "cannot read" in missing.stderr
    assert blank.returncode != 0 and "is empty" in blank.stderr
