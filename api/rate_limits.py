"""Rate limits per client address, in-process: the public register and failed sign-ins (issue 13).

Why our own limiter rather than a library: the well-kept ones read the wall clock inside their
storage (``limits``) or route keys through bucket factories with background leak threads
(``pyrate-limiter``), so a test of a window would have to sleep or patch time. This one is the
generic cell rate algorithm (GCRA, a token bucket kept as one timestamp per key): ``limit``
requests at once, then one every ``window / limit`` seconds, on a clock the caller hands in.

The limits live in the API process's memory, so each API instance counts on its own, and a restart
forgets them: they are a brake on floods and token guessing, not an accounting.

The client address is the peer of the connection (``scope["client"]``); behind a reverse proxy run
uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>`` so that it is the caller's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

if TYPE_CHECKING:
    from certflow.settings import Settings

Clock = Callable[[], float]


@dataclass
class Limiter:
    """At most ``limit`` hits per key at once, earned back at ``limit`` per ``window`` seconds.
    ``limit == 0`` means no limit."""

    limit: int
    window: float
    clock: Clock = time.monotonic
    max_keys: int = 100_000
    _ready_at: dict[str, float] = field(default_factory=dict)  # when the key's bucket is full again

    @property
    def _interval(self) -> float:
        return self.window / self.limit

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may be hit again; 0 when it may be now."""
        if not self.limit:
            return 0.0
        now = self.clock()
        earliest = self._ready_at.get(key, now) - self.window + self._interval
        return max(0.0, earliest - now)

    def hit(self, key: str) -> None:
        """Count one hit for ``key``, whether or not it was within the limit."""
        if not self.limit:
            return
        now = self.clock()
        if len(self._ready_at) >= self.max_keys:
            self._forget_full(now)
        start = max(self._ready_at.get(key, now), now)
        self._ready_at[key] = min(start + self._interval, now + self.window)  # never more than empty

    def take(self, key: str) -> float:
        """Hit ``key`` if it may be hit now and return 0; otherwise the seconds to wait (nothing counted)."""
        waiting = self.wait(key)
        if not waiting:
            self.hit(key)
        return waiting

    def _forget_full(self, now: float) -> None:
        """Drop the keys whose bucket is full again (they are as good as new), so memory stays bounded."""
        for key in [k for k, ready in self._ready_at.items() if ready <= now]:
            del self._ready_at[key]


@dataclass
class RateLimits:
    """The API's two limits, made from the settings; one per app."""

    public: Limiter
    failed_auth: Limiter

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> RateLimits:
        return cls(public=Limiter(settings.public_rate_limit, settings.public_rate_window, clock),
                   failed_auth=Limiter(settings.failed_auth_limit, settings.failed_auth_window, clock))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _too_many(scope: Scope, waiting: float, detail: str) -> ASGIApp:
    seconds = max(1, math.ceil(waiting))
    return problem_response(429, f"{detail} Please try again in {seconds} s.", instance=scope.get("path"),
                            headers={"Retry-After": str(seconds)})


def _has_credentials(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers", ()))


class RateLimitMiddleware:
    """ASGI middleware: 429 with Retry-After for an address past the public register's limit, or past
    its refused tokens (a 401 to a request with a token counts; one that signs in does not). While an address is past
    the latter, any request carrying a token is refused before the token is looked at, so guessing
    learns nothing; requests without one (the public register) go on."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        signing_in = _has_credentials(scope)  # a request without a token is no attempt to sign in
        if signing_in and (waiting := self.limits.failed_auth.wait(address)):
            await _too_many(scope, waiting, "Too many refused tokens from your address.")(scope, receive, send)
            return
        if scope.get("path", "").startswith("/public/") and (waiting := self.limits.public.take(address)):
            await _too_many(scope, waiting, "Too many requests to the public register from your address.")(
                scope, receive, send)
            return

        async def send_counting_refusals(message: Message) -> None:
            if signing_in and message["type"] == "http.response.start" and message["status"] == 401:
                self.limits.failed_auth.hit(address)
            await send(message)

        await self.app(scope, receive, send_counting_refusals)
