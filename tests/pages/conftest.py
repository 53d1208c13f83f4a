"""The pages' tests reuse the API's fixtures (app, http, staff, stack) and get a real browser."""

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.api.conftest import api_settings, app, http, stack, staff  # noqa: F401
from tests.pages.browser import Browser, browsing
from tests.workflows.test_process_page import served


@pytest_asyncio.fixture
async def browser(app, tmp_path) -> AsyncIterator[Browser]:  # noqa: F811 - the imported fixture, by name
    """The app served on a loopback port and a headless Chromium to look at it; the test fails on any
    console error, failed load or uncaught exception the pages caused."""
    async with served(app) as port, browsing(f"http://127.0.0.1:{port}", tmp_path) as seen:
        yield seen
        seen.assert_clean()
