"""Shared fixtures: named personas, and the real services the integration tests need."""
from __future__ import annotations

pytest_plugins = ["tests.support.fixtures"]
