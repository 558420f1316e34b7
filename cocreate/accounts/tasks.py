"""Scheduled jobs of accounts: retention of sign-in sessions and password-reset links."""

from __future__ import annotations

from cocreate.accounts import service
from cocreate.scheduler import task


@task("accounts.purge_expired", seconds=3600)
def purge_expired() -> int:
    """Delete ended sign-in sessions and old password-reset links (ACCOUNT_RECORD_DAYS)."""
    return service.purge_expired_records()
