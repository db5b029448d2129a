"""Demo data for local use (idempotent). Each app adds its own part in `<app>/demo.py`
(a `seed(*, stdout)` function, and `seed_scale(*, scale, stdout)` for benchmark volume),
called in dependency order after the demo accounts exist."""

import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

APPS_IN_ORDER = ["members", "pricing", "events", "permits"]


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
        from members.demo import seed_accounts

        with transaction.atomic():
            seed_accounts(stdout=self.stdout)
            for app in APPS_IN_ORDER:
                module = _demo_module(app)
                if module and hasattr(module, "seed"):
                    module.seed(stdout=self.stdout)
        if scale:
            for app in APPS_IN_ORDER:
                module = _demo_module(app)
                if module and hasattr(module, "seed_scale"):
                    started = time.monotonic()
                    module.seed_scale(scale=scale, stdout=self.stdout)
                    self.stdout.write(f"{app}: scale {scale} in {time.monotonic() - started:.1f} s")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo account: demo-pass-1405"))


def _demo_module(app):
    try:
        return importlib.import_module(f"{app}.demo")
    except ModuleNotFoundError as error:
        if error.name != f"{app}.demo":
            raise
        return None
