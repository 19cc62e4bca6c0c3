from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker process, and when it was last seen alive.

    A task claimed by a worker that has stopped beating (killed with SIGKILL, its machine lost)
    would stay RUNNING for ever: the queue it uses keeps no lease. Live workers beat every few
    seconds and hand such tasks back to the queue (``spona.core.worker``).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    personal_data: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
