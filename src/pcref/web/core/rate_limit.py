"""How often one connection may post to a public form, without keeping its address.

Public forms (the feedback form, joining the co-creation network, asking for a
self-service link, posting to the hub, reporting a contribution) need no sign-in, so
nothing but a per-connection limit stops a program flooding the moderators' queues or
sending self-service emails to one address over and over.

The limit is counted against a *client key*: an HMAC of the connection's address under a
salt derived from the secret key and the day, so the key changes every day and cannot be
turned back into an address without the secret. The key and its count live only in
Django's cache, for one hour, and are never written to the database or logs.

With the default local-memory cache each server process counts on its own, so with
several gunicorn workers the effective limit is that many times higher; a deployment that
wants one count configures a shared cache (memcached or Redis, never the database cache,
which would write the keys to the database). Behind a proxy every person shares the
proxy's address unless the proxy passes the real one in ``REMOTE_ADDR``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 3600
_DAY_SECONDS = 86400


def client_key(request: HttpRequest, now: float | None = None) -> str:
    """The connection's key for today: changes daily, reveals nothing without the secret."""
    day = int((time.time() if now is None else now) // _DAY_SECONDS)
    address = request.META.get("REMOTE_ADDR", "")
    return salted_hmac(f"pcref.rate-limit.{day}", address).hexdigest()[:32]


@dataclass(frozen=True)
class HourlyLimit:
    """One count of posts per connection per hour, shared by the forms that use it.

    ``name`` keeps this count apart from other limits' counts; ``setting`` names the
    Django setting holding how many posts an hour are allowed, read on every check so a
    deployment (or a test) can change it.
    """

    name: str
    setting: str

    def _cache_key(self, request: HttpRequest, now: float | None) -> str:
        moment = time.time() if now is None else now
        hour = int(moment // WINDOW_SECONDS)
        return f"pcref-{self.name}-sent:{client_key(request, moment)}:{hour}"

    def may_send(self, request: HttpRequest, now: float | None = None) -> bool:
        """Whether this connection is still under its hourly limit."""
        sent = cache.get(self._cache_key(request, now), 0)
        return sent < getattr(settings, self.setting)

    def count_sent(self, request: HttpRequest, now: float | None = None) -> None:
        """Count one more post from this connection in the current hour."""
        key = self._cache_key(request, now)
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
