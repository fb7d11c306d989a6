"""EMAIL_URL, read by newsroom/settings.py into Django's email settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings import email_settings


def test_an_smtp_url_with_quoted_credentials_and_starttls():
    assert email_settings("smtp://news%40room:p%3Ass@mail.example.org:587?tls=1") == {
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "news@room",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtps_means_implicit_tls_on_465_and_no_credentials_is_fine():
    settings = email_settings("smtps://mail.example.org")
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert settings["EMAIL_HOST_USER"] == settings["EMAIL_HOST_PASSWORD"] == ""
    assert email_settings("smtp://127.0.0.1")["EMAIL_PORT"] == 25


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_anything_else_stops_the_app_with_a_message(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must look like"):
        email_settings(url)
