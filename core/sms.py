"""SMS backends. The portal sends through settings.SMS_BACKEND (a dotted path); the console
backend prints, the locmem backend collects messages for tests, the HTTP backend posts to a
provider's web service (Kavenegar-style: API key in the URL, receptor and message in the body)."""

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
outbox: list[dict] = []


class BaseSmsBackend:
    def send(self, *, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to, text):
        # The number is masked in the log: logs hold no full personal numbers. The text may hold
        # a password-reset link: only a development machine (DEBUG) prints it.
        shown = text if settings.DEBUG else f"[{len(text)} characters, shown only with DEBUG on]"
        logger.info("SMS to %s: %s", to[:4] + "****" + to[-3:], shown)


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, *, to, text):
        outbox.append({"to": to, "text": text})


class HttpSmsBackend(BaseSmsBackend):
    def send(self, *, to, text):
        url = settings.SMS_API_URL.format(api_key=settings.SMS_API_KEY)
        if not _allowed_url(url):  # never file:// or another scheme from a mistyped setting
            raise ValueError("SMS_API_URL must be an https:// address (or http:// on this machine)")
        data = urllib.parse.urlencode({"receptor": to, "message": text, "sender": settings.SMS_SENDER}).encode()
        with urllib.request.urlopen(url, data=data, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310  # nosec B310
            if response.status >= 300:
                raise RuntimeError(f"SMS provider answered {response.status}")
            json.loads(response.read() or b"{}")


def _allowed_url(url: str) -> bool:
    """https:// anywhere; plain http:// only to this machine (a local relay, a test provider)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
