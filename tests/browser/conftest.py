"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against pytest-django's
`live_server` (a threaded WSGI server on the transactional test database, serving static files
through the staticfiles finders).

Playwright's own browser download is never used: the Chromium is the system's (/usr/bin/chromium;
bin/test installs Debian's `chromium` when missing). Screenshots and accessibility reports go to
`test-artifacts/` at the repository root (gitignored).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an event loop running in the test's thread; Django would take the
# test's own ORM calls (fixtures, assertions) for calls from async code and refuse them. They are
# plain synchronous calls; the server answering the browser runs in its own threads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}, and the browser tests need it. Run the "
            "tests with bin/test (it installs Debian's chromium), or `apt-get install chromium "
            "chromium-driver`, or set NEWSROOM_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Any]]:
    """Factory for pages, each in its own browser context (its own cookies: one user each)."""
    contexts = []

    def make(**options: Any) -> Any:
        # A test may ask for another viewport (a phone: 390 px wide) or other options.
        options = {"viewport": {"width": 1400, "height": 1000}, **options}
        context = browser.new_context(base_url=live_server.url, reduced_motion="reduce", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in() -> Callable[[Any, str], None]:
    """Sign in through the login form, as a person would."""
    from tests.conftest import PASSWORD

    def sign_in(page: Any, username: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Dashboard").wait_for()

    return sign_in


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def wait_for_js(page: Any, expression: str, *, timeout: float = 15.0) -> None:
    """Wait until `expression` is true in the page. Not `page.wait_for_function`: when its first
    check fails it polls inside the page with `new Function`, which our CSP (no 'unsafe-eval')
    refuses, so it errors only when the page is slow. `page.evaluate` goes through the DevTools
    protocol, which the CSP does not govern."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


@pytest.fixture
def axe() -> Callable[[Any, str], list[dict]]:
    """Run axe-core (from npm, node_modules/axe-core) on the page; write the full report to
    test-artifacts/axe-<name>.json and return the serious and critical violations."""
    if not AXE_JS.exists():
        pytest.fail(
            "node_modules/axe-core is missing: run `npm ci` (bin/setup does).", pytrace=False
        )

    def check(page: Any, name: str) -> list[dict]:
        # Evaluated through the DevTools protocol, not added as a <script>: the page's
        # Content-Security-Policy blocks inline scripts (and so it should), not the test driver.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
                resultTypes: ["violations"],
            })"""
        )
        report = {
            "url": result["url"],
            "axe": result["testEngine"]["version"],
            "violations": [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]],
                }
                for v in result["violations"]
            ],
        }
        artifact(f"axe-{name}.json").write_text(json.dumps(report, indent=2))
        return [v for v in report["violations"] if v["impact"] in ("serious", "critical")]

    return check
