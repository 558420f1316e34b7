"""Which group (newcomer, long-term resident …) a person belongs to within a lab.

Labs cannot import the domains that know this (focus-group screening, survey
answers), so those domains register a provider here; the first that knows wins.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: list[Callable[[int, object], str | None]] = []


def register(provider: Callable[[int, object], str | None]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def group_of(user_id: int, lab) -> str:
    for provider in _PROVIDERS:
        group = provider(user_id, lab)
        if group:
            return group
    return ""
