"""The browser tier: the staff console built by `make console`, served by the same local stack `make run` starts,
driven in Debian's Chromium by Playwright. Every page is checked for Content-Security-Policy violations and, where a
test asks, scanned with axe-core; screenshots go to build/screenshots/."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from local.console import built
from tests.e2e.conftest import start_stack

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's package (`make chromium`); Playwright cannot download its own here
# Headless on a closed network: no background requests, no first-run work; fake camera and microphone for the room.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--use-fake-ui-for-media-stream",
                 "--use-fake-device-for-media-stream"]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT / "build" / "screenshots"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    assert built(), "the console is not built: `make console` (make test does it)"
    running = start_stack(tmp_path_factory.mktemp("browser-stack") / "state")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console(stack, chromium):
    """A fresh browser context on the console (Spanish, Mexico City's clock, tablet width), failing the test on any
    CSP violation or uncaught page error."""
    context = chromium.new_context(locale="es-MX", timezone_id="America/Mexico_City",
                                   viewport={"width": 1024, "height": 768})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"http://127.0.0.1:{stack.ports['console']}/")
    yield page
    context.close()
    assert not problems, problems


def accessibility_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now (evaluated through the DevTools protocol,
    which the page's CSP does not govern, so the policy under test stays as served)."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def json_of(response) -> dict:
    return json.loads(response.body)
