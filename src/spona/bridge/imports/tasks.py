"""Background jobs of the imports app: a thin wrapper over ``job_run`` that shows progress as it goes."""

from __future__ import annotations

import threading

from django.db import DatabaseError, connection

from spona.bridge.imports import services
from spona.bridge.imports.models import ImportJob
from spona.tasks import task


class ProgressWriter:
    """Store a running job's progress from a thread of its own, so that it is seen before the import commits.

    The import is one transaction; its own writes stay invisible until the end. Another thread
    has another database connection, whose updates the web page reads at once. At most one
    update is in flight: a tick that arrives meanwhile is dropped, the next one carries newer
    numbers. On SQLite the import holds the only write lock, so the update fails and the bar
    jumps to the end when the import commits.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._write, args=(done,), daemon=True)
        self._thread.start()

    def _write(self, done: int) -> None:
        try:
            # Only while running: a late update must not move a finished job's figures back.
            ImportJob.objects.filter(pk=self.job_id, state=ImportJob.State.RUNNING, total_rows__gte=done).update(
                processed_rows=done
            )
        except DatabaseError:
            pass
        finally:
            connection.close()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()


@task()
def import_run(job_id: int) -> str:
    writer = ProgressWriter(job_id)
    try:
        return services.job_run(job_id=job_id, progress=writer)
    finally:
        writer.wait()
