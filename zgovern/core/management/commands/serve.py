"""``zgovern serve``: the production web server (gunicorn, static files by whitenoise) and
the background worker (Huey consumer), started and stopped together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve zGovern with gunicorn and run the background worker alongside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument(
            "--no-worker", action="store_true", help="serve only; run the worker elsewhere"
        )

    def handle(self, *args, bind: str, workers: int, no_worker: bool, **options) -> None:
        children = [self._start(self._gunicorn(bind, workers), "web")]
        if not no_worker:
            children.append(self._start(self._consumer(), "worker"))
        self.stdout.write(f"zGovern is serving on http://{bind}  (Ctrl-C stops it)")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = self._supervise(children, lambda: stopping)
        sys.exit(exit_code)

    def _gunicorn(self, bind: str, workers: int) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "zgovern.wsgi:application",
            "--bind", bind,
            "--workers", str(workers),
            "--access-logfile", "-",
            "--forwarded-allow-ips", "127.0.0.1",
        ]  # fmt: skip

    def _consumer(self) -> list[str]:
        return [sys.executable, "-m", "zgovern.cli", "run_huey", "--flush-locks"]

    def _start(self, command: list[str], name: str) -> tuple[str, subprocess.Popen]:
        return name, subprocess.Popen(command)  # noqa: S603 - argv built here, no shell

    def _supervise(self, children, stopping) -> int:
        """Wait until asked to stop or until a child dies; then stop the rest."""
        exit_code = 0
        while not stopping():
            dead = [(name, proc) for name, proc in children if proc.poll() is not None]
            if dead:
                name, proc = dead[0]
                self.stderr.write(f"the {name} process exited with status {proc.returncode}")
                exit_code = proc.returncode or 1
                break
            time.sleep(0.5)
        for _, proc in children:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in children:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        return exit_code
