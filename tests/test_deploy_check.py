"""`manage.py check --deploy` passes with the production environment and fails without it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests.support.processes import REPO_ROOT

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "newsroom.example.org",
    "DJANGO_HTTPS": "true",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    # Start from an environment without any DJANGO_* variable of the caller's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_the_production_environment():
    result = check_deploy(**PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_with_the_insecure_defaults():
    result = check_deploy()

    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the fallback secret key
    assert "security.W008" in result.stderr  # no HTTPS redirect


@pytest.mark.parametrize(
    ("name", "value", "warning"),
    [
        ("DJANGO_DEBUG", "true", "security.W018"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + "x" * 50, "security.W009"),
        ("DJANGO_HTTPS", "false", "security.W004"),
    ],
)
def test_deploy_check_fails_when_one_production_variable_is_wrong(name, value, warning):
    result = check_deploy(**{**PRODUCTION, name: value})

    assert result.returncode != 0
    assert warning in result.stderr
