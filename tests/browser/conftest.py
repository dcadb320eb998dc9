"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's guard against database
calls from async code (DJANGO_ALLOW_ASYNC_UNSAFE) is lifted while a browser is open, and only
then: the variable must not leak into other tests, whose subprocesses would inherit it (the
deploy check refuses it). Never let Playwright download a browser: the machine cannot reach it,
and Debian's Chromium is the one the project supports.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
# Long enough for a slow CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; Playwright's event loop lives exactly as long."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, settings) -> Iterator:
    """A fresh browser profile (no cookies) speaking English, with every request recorded so a
    test can check that nothing came from outside the live server. The cache (login failures,
    job progress) is the test's own: a shared Redis would be cleared by tests running in
    parallel."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"browser-{uuid.uuid4().hex}"}}
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.requested_urls = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    yield tab
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where screenshots go: PAKAN_SCREENSHOT_DIR when set (to look at them), else a tmp dir."""
    directory = Path(os.environ.get("PAKAN_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory



@pytest.fixture
def officer(geography):
    """A Chanthabuly officer with a name of its own, so that login failures counted by tests
    running in parallel (on a shared cache) never lock this one out."""
    from pakan.accounts.models import Role
    from tests.conftest import make_user

    return make_user(f"officer-{uuid.uuid4().hex[:10]}", Role.DISTRICT_OFFICER,
                     geography["0101"])
