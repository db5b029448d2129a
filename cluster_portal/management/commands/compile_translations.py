"""Compile locale/*/LC_MESSAGES/*.po into .mo files: with GNU gettext's msgfmt when the
machine has it (Django's compilemessages), otherwise with polib, so that `make run` works on a
fresh machine without gettext."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's translations (msgfmt if available, else polib)."

    def handle(self, *args, **options):
        if shutil.which("msgfmt"):
            call_command("compilemessages", locale=["fa"], verbosity=0, ignore=[".venv", "node_modules"])
            self.stdout.write("translations compiled with msgfmt")
            return
        import polib

        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"compiled {po_path} with polib")
