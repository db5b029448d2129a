"""Compile the project's own catalogues (settings.LOCALE_PATHS: locale/*/LC_MESSAGES/*.po) into
.mo files: with GNU gettext's msgfmt (which also checks format strings) when the machine has
it, otherwise with polib, so that `make run` works on a fresh machine without gettext."""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's translations (msgfmt if available, else polib)."

    def handle(self, *args, **options):
        msgfmt = shutil.which("msgfmt")
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if msgfmt:
                    result = subprocess.run(
                        [msgfmt, "--check-format", "-o", str(mo_path), str(po_path)], capture_output=True, text=True
                    )
                    if result.returncode:
                        raise CommandError(f"{po_path}: {result.stderr.strip()}")
                else:
                    import polib

                    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                self.stdout.write(
                    f"compiled {po_path.relative_to(settings.BASE_DIR)} with {'msgfmt' if msgfmt else 'polib'}"
                )
