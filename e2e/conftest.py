"""Browser tests against the whole platform started as ``make run`` starts it.

One stack per test session (e2e/stack.py): a temporary ``POLYCODE_VAR_DIR`` and a free
``POLYCODE_PORT_BASE``, so it runs beside a developer's ``make run``. Tests that take the
``strangler`` fixture run twice: with the monolith's switches off (legacy paths) and on
(runner service, mail through the queue and the mailer, purchases through the shop's saga).
"""

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, SCREENSHOTS
from e2e.stack import SWITCH_TTL, SWITCHES, Stack, free_port_base
from e2e.steps import new_person

TIMEOUT_MS = 20_000
# Compiling, judging and the saga take seconds on a busy machine: assertions wait as long as actions.
expect.set_options(timeout=TIMEOUT_MS)

_stack: Stack | None = None


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    global _stack
    if os.environ.get("E2E_STACK"):
        # A stack kept up by `python -m e2e.stack` (e2e/README.md): started and stopped there.
        base, var_dir = os.environ["E2E_STACK"].split(":", 1)
        _stack = Stack(Path(var_dir), int(base))
        yield _stack
        return
    root = tmp_path_factory.mktemp("stack")
    started = time.monotonic()
    _stack = Stack(root / "var", free_port_base())
    _stack.start()
    print(f"\nstack up on {_stack.url} in {time.monotonic() - started:.1f}s ({root})")
    try:
        yield _stack
    finally:
        _stack.stop()
        _stack = None


@pytest.fixture(scope="session")
def shop_catalogue(stack: Stack) -> None:
    """The legacy shop's items copied into the shop service (its README's data migration)."""
    export = stack.var_dir / "legacy_shop.json"
    stack.manage("export_legacy_shop", "--output", str(export))
    stack.manage("import_legacy_shop", "--source", str(export), service="shop")


@pytest.fixture(scope="session", params=["off", "on"])
def strangler(request, stack: Stack) -> str:
    """The three strangler switches all off (legacy) or all on (extracted services)."""
    if request.param == "on":
        request.getfixturevalue("shop_catalogue")
    for switch in SWITCHES:
        stack.manage("waffle_switch", switch, request.param, "--create")
    time.sleep(SWITCH_TTL + 0.5)
    return request.param


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, stack: Stack) -> BrowserContext:
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request) -> Page:
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"failed-{request.node.name}.png", full_page=True)


@pytest.fixture
def mail_dir(stack: Stack):
    return stack.var_dir / "mail"


@pytest.fixture(name="new_person")
def new_person_fixture() -> dict:
    return new_person()


def pytest_sessionstart(session):
    # var/screenshots/ holds the pictures of the last run only.
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    if report.failed and _stack is not None:
        report.sections.append(("stack output", _stack.tail()))
    return report
