"""What other domains show on a lab page.

Labs sit above surveys, focus groups and plans, so they cannot import them.
Instead each of those domains registers a section here: a title, a template
and a loader. The lab page renders whatever is registered, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LabSection:
    key: str
    #: Template for the public lab page and for the lab's manage page.
    public_template: str
    manage_template: str
    #: ``load(lab, user, manage) -> dict`` of template variables.
    load: Callable[..., dict]
    order: int = 100


_SECTIONS: dict[str, LabSection] = {}


def register(section: LabSection) -> None:
    _SECTIONS[section.key] = section


def registered() -> list[LabSection]:
    return sorted(_SECTIONS.values(), key=lambda s: s.order)


def render_data(lab, user, *, manage: bool) -> list[tuple[LabSection, dict]]:
    return [(section, section.load(lab, user, manage)) for section in registered()]
