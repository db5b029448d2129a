"""Jalali quarters (spring = months 1–3 … winter = months 10–12) and the as-of rule: an
indicator for a quarter is computed as of its last day, or as of today while it runs."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jalali import jalali_month_of, jalali_month_range
from core.persian import digits_to_ascii, digits_to_persian

SEASONS = (_("Spring"), _("Summer"), _("Autumn"), _("Winter"))
KEY = re.compile(r"^([0-9]{4})-([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        year, month = jalali_month_of(day)
        return cls(year, (month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str) -> "Quarter":
        """'1405-2' (Persian or Arabic digits accepted); ValueError otherwise."""
        match = KEY.match(digits_to_ascii(str(key or "")).strip().replace("/", "-"))
        if not match or not 1300 <= int(match.group(1)) <= 1499:
            raise ValueError(key)
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def months(self) -> list[tuple[int, int]]:
        first = (self.number - 1) * 3 + 1
        return [(self.year, first + i) for i in range(3)]

    @property
    def start(self) -> datetime.date:
        return jalali_month_range(*self.months[0])[0]

    @property
    def end(self) -> datetime.date:
        return jalali_month_range(*self.months[-1])[1]

    @property
    def label(self) -> str:
        """«بهار ۱۴۰۵» in fa, 'Spring 1405' in en."""
        from django.utils.translation import get_language

        year = digits_to_persian(self.year) if (get_language() or "fa").startswith("fa") else str(self.year)
        return f"{SEASONS[self.number - 1]} {year}"

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def as_of(self, today: datetime.date | None = None) -> datetime.date:
        """The quarter's last day once it is over; today while it runs."""
        today = today or timezone.localdate()
        return min(self.end, today)

    def is_over(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.end


def current(today: datetime.date | None = None) -> Quarter:
    return Quarter.of(today or timezone.localdate())


def recent(count: int = 8, today: datetime.date | None = None) -> list[Quarter]:
    """The running quarter and the `count - 1` before it, newest first."""
    quarters = [current(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the portal's time zone: rows with a timestamp before it
    existed on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
