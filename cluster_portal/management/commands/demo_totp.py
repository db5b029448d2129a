"""The current authenticator code of the demo's privileged accounts (development only)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from members.demo import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the demo authenticator's current six-digit code (staff, union head, superuser demo accounts)."

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_SEED:
            raise CommandError("demo_totp is for development machines only (ALLOW_DEMO_SEED is off).")
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, digits=6)
        totp.time = time.time()
        left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  (valid for {left} more seconds; secret {DEMO_TOTP_SECRET})")
