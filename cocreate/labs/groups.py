"""Which group (newcomer, long-term resident …) people belong to within a lab.

Labs cannot import the domains that know this (focus-group screening, survey
answers), so those domains register a provider here; the first that knows wins.
A provider answers for many people at once — one query for a whole page or
export, not one per person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: ``provider(user_ids, lab) -> {user_id: group}``, leaving out the people it does not know.
Provider = Callable[[list[int], object], dict[int, str]]

_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def groups_of(user_ids: Iterable[int], lab) -> dict[int, str]:
    """Each person's group within ``lab`` ("" when no provider knows), one call per provider."""
    wanted = list(dict.fromkeys(user_ids))
    found: dict[int, str] = {}
    for provider in _PROVIDERS:
        missing = [user_id for user_id in wanted if user_id not in found]
        if not missing:
            break
        found.update((user_id, group) for user_id, group in provider(missing, lab).items() if group)
    return {user_id: found.get(user_id, "") for user_id in wanted}
