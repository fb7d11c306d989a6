"""The demo loader (bin/run): a staff `admin` superuser beside the three demo users (issue 13),
passwords kept across runs, and a user added later gets a password without changing the others."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def seed(settings, tmp_path, monkeypatch) -> str:
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_staff_admin_whose_printed_password_signs_in(
    settings, tmp_path, monkeypatch
):
    printed = seed(settings, tmp_path, monkeypatch)

    line = next(line for line in printed.splitlines() if line.split()[:1] == ["admin"])
    password = line.split()[1]
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert "(Staff: the admin at /admin/)" in line
    assert admin.check_password(password)
    assert json.loads((tmp_path / "demo-logins.json").read_text())["admin"] == password


def test_an_older_logins_file_keeps_its_passwords_and_gains_the_admins(
    settings, tmp_path, monkeypatch
):
    older = {"editor": "e-pass-1234", "reviewer": "r-pass-1234", "chief": "c-pass-1234"}
    (tmp_path / "demo-logins.json").write_text(json.dumps(older))

    printed = seed(settings, tmp_path, monkeypatch)
    again = seed(settings, tmp_path, monkeypatch)

    saved = json.loads((tmp_path / "demo-logins.json").read_text())
    assert {k: saved[k] for k in older} == older
    assert saved["admin"] and printed == again.replace(
        "Demo articles loaded: 0 new.", printed.splitlines()[0]
    )
    assert User.objects.get(username="editor").check_password("e-pass-1234")
