"""The pages' tests reuse the API's fixtures (app, http, staff, stack) and the journeys of the workflows."""

from tests.api.conftest import api_settings, app, http, stack, staff  # noqa: F401
