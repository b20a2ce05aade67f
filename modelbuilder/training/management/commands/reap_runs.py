"""`python manage.py reap_runs [--stale-after S] [--every S]`: re-queue runs whose worker is gone."""

import time

from django.core.management.base import BaseCommand

from modelbuilder.training.resilience import run_reap_lost, stale_after_default


class Command(BaseCommand):
    help = "Re-queue (or fail) runs marked running whose worker heartbeat is stale."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds without a heartbeat (default MODELBUILDER_HEARTBEAT_STALE_S)",
        )
        parser.add_argument(
            "--every", type=float, default=None, help="keep running, reaping every N seconds"
        )

    def handle(self, *args, stale_after=None, every=None, **options):
        stale_after = stale_after_default() if stale_after is None else stale_after
        while True:
            found = run_reap_lost(stale_after=stale_after)
            self.stdout.write(f"requeued {found['requeued']} failed {found['failed']}")
            if not every:
                return
            time.sleep(every)
