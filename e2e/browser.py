"""The browser of the tests (Debian's Chromium driven by Playwright) and what every page must pass.

No browser is downloaded: Playwright launches the system's ``/usr/bin/chromium``.
``check_page`` runs axe-core on a page and saves its screenshots; every journey calls it on
every page it reaches.
"""

import json
import os
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("POLYCODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE_WIDTH = 375
SCREENSHOTS = ROOT / "var" / "screenshots"
# axe-core is a devDependency of the front-end bundle (cd frontend && npm ci).
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# The page's width and the first elements reaching past ``width`` (code blocks and the
# editor scroll inside themselves, which is fine).
WIDER_THAN = """width => {
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
    const wider = [...document.body.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('pre, .cm-editor'))
        .map(name);
    return {scroll: document.documentElement.scrollWidth, wider: wider.slice(0, 5)};
}"""


def shot(page: Page, name: str) -> None:
    """Full-page screenshots of ``page``: ``<name>.png`` at desktop width and ``<name>-375.png``.

    At 375 px the page must fit the screen: nothing may make the whole page scroll sideways.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    size = page.viewport_size or DESKTOP
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        page.screenshot(path=SCREENSHOTS / f"{name}-{PHONE_WIDTH}.png", full_page=True)
        overflow = page.evaluate(WIDER_THAN, PHONE_WIDTH)
        assert overflow["scroll"] <= PHONE_WIDTH + 1, (
            f"{page.url} is {overflow['scroll']} px wide at {PHONE_WIDTH} px (sideways scrolling); "
            f"wider elements: {overflow['wider']}"
        )
    finally:
        page.set_viewport_size(size)


def axe_violations(page: Page) -> list[dict]:
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing ({AXE}): run `cd frontend && npm ci`")
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy
    # (script-src 'self') does not have to let an inline script in.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(
                f"    at {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}"
            )
            lines.append(f"       {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any *serious* or *critical* axe-core violation of the page as it is now."""
    failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, (
        f"axe-core: {len(failing)} serious/critical violation(s) on {page.url}\n{describe(failing)}"
    )


def check_page(page: Page, name: str) -> None:
    """What every page of a journey passes: axe-core, then its screenshots (desktop and 375 px)."""
    page.wait_for_load_state("load")
    assert_accessible(page)
    shot(page, name)
