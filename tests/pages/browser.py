"""A real browser for the pages' tests: Debian's Chromium (scripts/system-packages.sh), driven by
Playwright (the wheel brings its driver; it never downloads a browser of its own here).

``Browser.page()`` opens a tab that records every console error, failed request, part of a page
answered with an error status, and uncaught exception; ``Browser.assert_clean()`` fails the test on any
of them. A page itself may be a refusal (a form drawn again with a 422 beside its fields, a 403 page):
that is the page's own answer, which the test reads, so it is not counted (Chromium's console line for
it is the same line a missing stylesheet gives, so the console's load lines are judged by their
responses instead). Screenshots go to the test's ``tmp_path`` and are kept as the run's artifacts in
``CERTFLOW_SCREENSHOTS`` (by default ``test-artifacts/screenshots`` of the checkout), to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import ConsoleMessage, Page, Request, Response, async_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ABORTED = "net::ERR_ABORTED"
LOAD_FAILED = "Failed to load resource: the server responded with a status of"


class Browser:
    def __init__(self, base: str, shots: Path) -> None:
        self.base = base
        self.shots = shots
        self.problems: list[str] = []
        self._browser = None

    async def page(self, *, viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Page:
        assert self._browser is not None
        context = await self._browser.new_context(viewport=viewport, java_script_enabled=javascript,
                                                  base_url=self.base)
        tab = await context.new_page()
        tab.on("console", self._console)
        tab.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        tab.on("requestfailed", self._failed)
        tab.on("response", self._response)
        return tab

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith(LOAD_FAILED):
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: Request) -> None:
        if request.failure != ABORTED:  # a load the next navigation cut short is not the page's fault
            self.problems.append(f"failed to load {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.request.resource_type} {response.url} answered {response.status}")

    async def screenshot(self, tab: Page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await tab.screenshot(path=str(path), full_page=True)
        _keep(path, Path(os.environ.get("CERTFLOW_SCREENSHOTS") or ARTIFACTS))
        return path

    def assert_clean(self) -> None:
        assert not self.problems, self.problems


def _keep(shot: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, folder / shot.name)


@asynccontextmanager
async def browsing(base: str, shots: Path) -> AsyncIterator[Browser]:
    assert CHROMIUM, "Debian's chromium is installed by scripts/system-packages.sh (make install)"
    browser = Browser(base, shots)
    async with async_playwright() as playwright:
        browser._browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser._browser.close()
