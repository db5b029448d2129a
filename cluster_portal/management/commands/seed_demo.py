"""Demo data for local use (idempotent). Each app adds its own part in `<app>/demo.py`
(a `seed(*, stdout)` function, and `seed_scale(*, scale, stdout)` for benchmark volume),
called in dependency order after the demo accounts exist."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalogue import demo as catalogue_demo
from estate import demo as estate_demo
from events import demo as events_demo
from market import demo as market_demo
from members import demo as members_demo
from news import demo as news_demo
from packaging import demo as packaging_demo
from permits import demo as permits_demo
from plan import demo as plan_demo
from pricing import demo as pricing_demo
from programmes import demo as programmes_demo
from showcase import demo as showcase_demo

# Dependency order: each app's demo data may use what the ones before it made.
DEMO_MODULES = [
    catalogue_demo,
    members_demo,
    news_demo,
    pricing_demo,
    events_demo,
    permits_demo,
    showcase_demo,
    programmes_demo,
    estate_demo,
    market_demo,
    packaging_demo,
    plan_demo,
]


class Command(BaseCommand):
    help = "Create the demo accounts and data (password demo-pass-1405). Refused in production."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="add N× synthetic volume for benchmarks")

    def handle(self, *args, scale=0, **options):
        if not settings.ALLOW_DEMO_SEED:
            raise CommandError(
                "seed_demo creates accounts with a well-known password and is refused with "
                "production settings (set ALLOW_DEMO_SEED=true only on a development machine)."
            )
        with transaction.atomic():
            members_demo.seed_accounts(stdout=self.stdout)
            for module in DEMO_MODULES:
                if hasattr(module, "seed"):
                    module.seed(stdout=self.stdout)
        if scale:
            for module in DEMO_MODULES:
                if hasattr(module, "seed_scale"):
                    started = time.monotonic()
                    module.seed_scale(scale=scale, stdout=self.stdout)
                    app = module.__name__.split(".")[0]
                    self.stdout.write(f"{app}: scale {scale} in {time.monotonic() - started:.1f} s")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo account: demo-pass-1405"))
