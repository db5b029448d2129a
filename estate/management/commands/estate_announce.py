"""Tells followers about milestone moves not announced yet (cron, any server; each follower is
told once per move whatever the number of runs)."""

from django.core.management.base import BaseCommand

from estate.services import milestone_changes_announce


class Command(BaseCommand):
    help = "Tell the estate's followers about milestone moves (each follower once per move)."

    def handle(self, *args, **options):
        self.stdout.write(f"{milestone_changes_announce()} notices sent")
