"""A real browser for the pages' tests: Debian's Chromium (scripts/system-packages.sh), driven by
Playwright (the wheel brings its driver; it never downloads a browser of its own here).

``Browser.page()`` opens a tab that records every console error, failed request and uncaught
exception; ``Browser.assert_clean()`` fails the test on any of them. Screenshots go to the test's
``tmp_path`` and, when ``CERTFLOW_SCREENSHOTS`` names a folder, are copied there to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Page, async_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


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
        tab.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        tab.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        tab.on("requestfailed", lambda r: self.problems.append(f"failed to load {r.url}: {r.failure}"))
        return tab

    async def screenshot(self, tab: Page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await tab.screenshot(path=str(path), full_page=True)
        if folder := os.environ.get("CERTFLOW_SCREENSHOTS"):
            _keep(path, Path(folder))
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
