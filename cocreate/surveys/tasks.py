"""Scheduled jobs of surveys: opening and closing on time, purging stale drafts."""

from __future__ import annotations

from cocreate.scheduler import task
from cocreate.surveys import authoring, service


@task("surveys.open_and_close", seconds=60)
def open_and_close() -> int:
    """Open scheduled surveys and close expired ones (idempotent)."""
    return authoring.open_and_close_due()


@task("surveys.purge_drafts", seconds=3600)
def purge_drafts() -> int:
    """Delete unsubmitted answers older than the retention period."""
    return service.purge_stale_drafts()
