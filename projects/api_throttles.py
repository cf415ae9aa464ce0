"""The API's rate limits (DRF throttling), counted in Django's cache: per process by default, shared by all
web processes when ``CACHE_URL`` names Redis.

- ``PersonRateThrottle``: ``API_RATE_USER`` per person, over all their sessions and tokens together;
- ``AnonymousRateThrottle``: ``API_RATE_ANON`` per address (``RATELIMIT_IP_META_KEY``) for requests
  without a person. Every operation needs one, so such a request is refused before DRF checks its
  throttles; ``projects.api_errors`` counts the refusals instead (no login, a wrong or expired token).

Over the limit the answer is 429 with ``Retry-After``. The rates are read from the settings at each request
(DRF reads its own ``DEFAULT_THROTTLE_RATES`` once, at import); an empty rate is no limit.
"""

from django.conf import settings
from rest_framework import throttling


class _RateFromSettings:
    setting = ""

    def get_rate(self) -> str | None:
        return getattr(settings, self.setting) or None

    def wait(self) -> float:
        """Seconds until the next request is let through. DRF gives none when more requests are counted
        than the rate allows (the rate was lowered meanwhile): then until the oldest one leaves the window."""
        seconds = super().wait()
        if seconds is None:
            seconds = self.duration - (self.now - self.history[-1]) if self.history else self.duration
        return seconds


class PersonRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    scope = "user"
    setting = "API_RATE_USER"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    scope = "anon"
    setting = "API_RATE_ANON"

    def get_ident(self, request) -> str:
        """The visitor's address where the portal's rate limit reads it too: behind a proxy, the header it
        sets (its last entry, the one the proxy added)."""
        meta = request.META
        address = meta.get(settings.RATELIMIT_IP_META_KEY) or meta.get("REMOTE_ADDR") or ""
        return address.rsplit(",", 1)[-1].strip()
