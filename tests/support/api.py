"""API test fixtures, a pytest plugin registered in tests/conftest.py (`pytest_plugins`).

- `api_settings`: the settings every API test runs with (see below). Not autouse: a module that
  wants it for all its tests says `pytestmark = pytest.mark.usefixtures("api_settings")`.
- `api`: `api(user)` makes an APIClient with a fresh bearer token of `user`.

Plain helpers, imported by name: `token_for(user)`, `ids(response)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from integrations import services


@pytest.fixture
def api_settings(settings, redis_server) -> Iterator[None]:
    """Fast password hashing (users are made by the dozen), the write throttle counted in the
    test Redis with a rate no test reaches unless it sets one, and its counters emptied."""
    import redis

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "LOCATION": redis_server.url},
    }
    settings.API_WRITE_RATE = "100000/min"
    client = redis.Redis.from_url(redis_server.url)
    for key in client.scan_iter("throttle:*"):
        client.delete(key)
    client.close()
    yield


def token_for(user, name: str = "tests") -> str:
    _, raw = services.create_api_token(user=user, name=name)
    return raw


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """`api(user)`: an APIClient sending a fresh bearer token of `user`; `api()`: anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]
