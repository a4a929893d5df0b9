import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from amtsweg.core import jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Führt Hintergrundaufgaben aus (django-tasks-db Worker) und reiht periodische Aufgaben ein."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Sekunden zwischen zwei Abfragen der Warteschlange"
        )
        parser.add_argument("--tick", type=float, default=15.0, help="Sekunden zwischen Zeitplan-Prüfungen")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="nur Aufgaben ausführen, keine periodischen einreihen"
        )

    def handle(self, *args, interval, tick, no_scheduler, **options):
        stop = threading.Event()
        if not no_scheduler:
            threading.Thread(target=self._schedule, args=(stop, tick), name="scheduler", daemon=True).start()
        try:
            # --no-reload: under the autoreloader a worker would be restarted for ever (see STACK.md).
            call_command("db_worker", "--no-reload", "--interval", str(interval), "--queue-name", "*")
        finally:
            stop.set()

    def _schedule(self, stop: threading.Event, every: float):
        while not stop.is_set():
            try:
                enqueued = jobs.tick()
                if enqueued:
                    logger.info("periodic jobs enqueued", extra={"jobs": enqueued})
            except Exception:
                logger.exception("scheduler tick failed")
            finally:
                close_old_connections()
            stop.wait(every)
