"""One-time codes sent by SMS: proof that someone holds a mobile number. Used for signing in
by SMS, for verifying an applicant's number at /members/join/, and for anything else that must
check a number (name a new `purpose` for it: codes of one purpose never pass for another).

- `code_send(purpose=..., mobile=..., client_address=..., message=...)` makes a 6-digit code,
  keeps only its keyed hash (HMAC with the secret key), and sends `message(code)` by SMS. One
  live code per purpose and number: a new one replaces the old. Refused (CodeRefused, with the
  wait) within a minute of the last code, after 3 codes to a number in 10 minutes, or after 20
  codes asked from one client address in an hour.
- `code_check(purpose=..., mobile=..., code=...)` compares in constant time; a code is valid for
  2 minutes, works once, and dies after 5 wrong tries.

The same work is done whatever the number (the caller decides what the message says, e.g. that
a number has no account, but always sends one), so neither the page nor its timing tells whether
a number is registered. SMS leave through `deliver()`, the one place to make sending
asynchronous later."""

import enum
import logging
import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import sms
from .forms import BootstrapFormMixin
from .models import PhoneCode
from .persian import normalize_digits_only
from .templatetags.persian import num

logger = logging.getLogger("cluster_portal.security")

CODE_DIGITS = 6
VALID_FOR = timedelta(minutes=2)
MAX_TRIES = 5
RESEND_AFTER_SECONDS = 60
PER_NUMBER = (3, 10 * 60)  # codes sent to one number per 10 minutes
PER_ADDRESS = (20, 60 * 60)  # codes asked for from one client address per hour


class CodeRefused(Exception):
    """No code was sent: too soon, too many, or the SMS provider failed. `message` says why and
    how long to wait (translated, digits in the page's language)."""

    def __init__(self, reason: str, wait_seconds: int):
        super().__init__(reason)
        self.reason = reason
        self.wait_seconds = max(1, math.ceil(wait_seconds))

    @property
    def message(self) -> str:
        seconds = self.wait_seconds
        minutes = max(1, -(-seconds // 60))
        if self.reason == "resend":
            return ngettext(
                "You can ask for a new code in %(count)s second.",
                "You can ask for a new code in %(count)s seconds.",
                seconds,
            ) % {"count": num(seconds)}
        if self.reason == "number":
            return ngettext(
                "Too many codes were sent to this number. Try again in %(count)s minute.",
                "Too many codes were sent to this number. Try again in %(count)s minutes.",
                minutes,
            ) % {"count": num(minutes)}
        if self.reason == "address":
            return ngettext(
                "Too many codes were asked for from your connection. Try again in %(count)s minute.",
                "Too many codes were asked for from your connection. Try again in %(count)s minutes.",
                minutes,
            ) % {"count": num(minutes)}
        return gettext("The SMS could not be sent. Try again in a minute.")


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # not the code; tries left
    EXPIRED = "expired"  # no live code: expired, used, replaced or never sent
    DEAD = "dead"  # too many wrong tries: ask for a new code


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    tries_left: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def message(self) -> str:
        if self.outcome is Outcome.WRONG:
            return ngettext(
                "The code is not correct. %(count)s try left.",
                "The code is not correct. %(count)s tries left.",
                self.tries_left,
            ) % {"count": num(self.tries_left)}
        if self.outcome is Outcome.DEAD:
            return gettext("Too many wrong codes. Ask for a new code.")
        if self.outcome is Outcome.EXPIRED:
            return gettext("This code has expired or was replaced by a newer one. Ask for a new code.")
        return ""


@dataclass(frozen=True)
class CodeStatus:
    """What a page shows while a code is live: when a new one may be asked for, when it expires."""

    sent_at: object
    expires_at: object
    resend_in: int  # seconds

    @property
    def expires_in(self) -> int:
        return max(0, int((self.expires_at - timezone.now()).total_seconds()))

    @property
    def resend_clock(self) -> str:
        """«0:45»: the wait before a new code, as the page shows it (digits by the template)."""
        return f"{self.resend_in // 60}:{self.resend_in % 60:02d}"


# --- The one way out ---------------------------------------------------------------------------
def deliver(*, to: str, text: str) -> None:
    """Send one SMS through the configured backend (settings.SMS_BACKEND)."""
    sms.get_backend().send(to=to, text=text)


def code_message(code: str, *, lead: str, domain: str = "") -> str:
    """The usual text: what the code is for, the code, how long it lasts, never to share it; and
    the origin-bound last line (WebOTP, «@host #code») that lets a phone's browser fill it in."""
    text = gettext("%(lead)s\nCode: %(code)s\nValid for 2 minutes. Do not give it to anyone.") % {
        "lead": lead,
        "code": code,
    }
    if domain:
        text += f"\n\n@{domain} #{code}"
    return text


# --- Hashing and counting ----------------------------------------------------------------------
def _hash(purpose: str, mobile: str, code: str) -> str:
    return salted_hmac("core.phone_codes", f"{purpose}|{mobile}|{code}", algorithm="sha256").hexdigest()


def _bucket_key(kind: str, value: str) -> str:
    prefix = getattr(settings, "RATELIMIT_CACHE_PREFIX", "rl:")
    digest = salted_hmac("core.phone_codes.bucket", value, algorithm="sha256").hexdigest()[:32]
    return f"{prefix}phone-code:{kind}:{digest}"


def _recent(key: str, period: int, now: float) -> list[float]:
    return [stamp for stamp in (cache.get(key) or []) if stamp > now - period]


def _limit_wait(key: str, limit: tuple[int, int], now: float) -> int:
    """Seconds until one more code may be sent (0: now). A sliding window of send times."""
    count, period = limit
    stamps = _recent(key, period, now)
    if len(stamps) < count:
        return 0
    return int(stamps[-count] + period - now) + 1


def _count(key: str, limit: tuple[int, int], now: float) -> None:
    period = limit[1]
    cache.set(key, [*_recent(key, period, now), now], period)


def _limits_on() -> bool:
    return getattr(settings, "RATELIMIT_ENABLE", True)


# --- Services ----------------------------------------------------------------------------------
def code_send(*, purpose: str, mobile: str, client_address: str, message) -> CodeStatus:
    """Make and send a new code for (purpose, mobile). `mobile` is already normalised
    (09xxxxxxxxx); `message(code) -> str` builds the SMS text (it may leave the code out, e.g.
    to tell a number that it has no account). Raises CodeRefused when nothing was sent."""
    now_ts = time.time()
    number_key, address_key = _bucket_key("number", f"{purpose}|{mobile}"), _bucket_key("address", client_address)
    now = timezone.now()
    with transaction.atomic():
        PhoneCode.objects.filter(expires_at__lt=now).exclude(purpose=purpose, mobile=mobile).delete()
        current = PhoneCode.objects.select_for_update().filter(purpose=purpose, mobile=mobile).first()
        if _limits_on():
            if current is not None:
                since = (now - current.created_at).total_seconds()
                if since < RESEND_AFTER_SECONDS:
                    raise CodeRefused("resend", RESEND_AFTER_SECONDS - since)
            for reason, key, limit in (("number", number_key, PER_NUMBER), ("address", address_key, PER_ADDRESS)):
                wait = _limit_wait(key, limit, now_ts)
                if wait:
                    logger.warning("SMS code refused (%s limit) purpose=%s", reason, purpose)
                    raise CodeRefused(reason, wait)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        fields = {"code_hash": _hash(purpose, mobile, code), "created_at": now, "expires_at": now + VALID_FOR}
        if current is None:
            current = PhoneCode.objects.create(purpose=purpose, mobile=mobile, tries=0, **fields)
        else:
            for name, value in fields.items():
                setattr(current, name, value)
            current.tries = 0
            current.save(update_fields=[*fields, "tries"])
    if _limits_on():
        _count(number_key, PER_NUMBER, now_ts)
        _count(address_key, PER_ADDRESS, now_ts)
    try:
        deliver(to=mobile, text=message(code))
    except Exception:
        logger.exception("SMS code could not be sent purpose=%s", purpose)
        PhoneCode.objects.filter(pk=current.pk).update(created_at=now - timedelta(seconds=RESEND_AFTER_SECONDS))
        raise CodeRefused("unavailable", RESEND_AFTER_SECONDS) from None
    return CodeStatus(sent_at=now, expires_at=current.expires_at, resend_in=RESEND_AFTER_SECONDS)


def code_status(*, purpose: str, mobile: str) -> CodeStatus | None:
    """The live (or last) code's times for a page, or None when there is none."""
    row = PhoneCode.objects.filter(purpose=purpose, mobile=mobile).only("created_at", "expires_at").first()
    if row is None:
        return None
    since = (timezone.now() - row.created_at).total_seconds()
    return CodeStatus(
        sent_at=row.created_at,
        expires_at=row.expires_at,
        resend_in=max(0, int(RESEND_AFTER_SECONDS - since + 0.999)),
    )


def clean_code(value: str) -> str:
    """What a person types («۱۲۳ ۴۵۶», «123-456») as the six ASCII digits, or "" when it cannot
    be a code."""
    digits = normalize_digits_only(value or "")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else ""


def code_check(*, purpose: str, mobile: str, code: str) -> CheckResult:
    """Is `code` the live code for (purpose, mobile)? A right code is used up at once; a wrong
    one costs a try (the fifth kills the code)."""
    expected = _hash(purpose, mobile, clean_code(code) or "-")
    now = timezone.now()
    with transaction.atomic():
        row = PhoneCode.objects.select_for_update().filter(purpose=purpose, mobile=mobile).first()
        if row is None or row.expires_at <= now:
            constant_time_compare(expected, expected)  # the same work as a real comparison
            return CheckResult(Outcome.EXPIRED)
        if row.tries >= MAX_TRIES:
            constant_time_compare(expected, row.code_hash)
            return CheckResult(Outcome.DEAD)
        if constant_time_compare(expected, row.code_hash):
            row.delete()
            return CheckResult(Outcome.OK)
        row.tries += 1
        row.save(update_fields=["tries"])
    logger.warning("SMS code rejected purpose=%s try=%s", purpose, row.tries)
    left = MAX_TRIES - row.tries
    return CheckResult(Outcome.WRONG, left) if left else CheckResult(Outcome.DEAD)


class PhoneCodeForm(BootstrapFormMixin, forms.Form):
    """The code a person received: six digits in any script, spaces and dashes allowed. A
    malformed entry is a form error and costs no try."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "dir": "ltr",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "placeholder": "______",
                "class": "form-control form-control-lg text-center phone-code-input",
            }
        ),
    )

    def clean_code(self):
        code = clean_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the 6 digits of the code."), code="invalid_code")
        return code
