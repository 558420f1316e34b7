"""Inter-coder agreement: Cohen's kappa per code, over the units both coders coded.

Two coders agree about code *c* on a unit when both applied it there (in any
passage) or neither did. Only units that *both* coders worked on count: a unit
one coder never looked at says nothing about agreement. Everything here is a
pure function of sets, so it is tested against hand-computed tables.

    kappa = (po - pe) / (1 - pe)

with ``po`` the observed share of agreeing units and ``pe`` the agreement
expected by chance from each coder's own rate of using the code. When
``pe == 1`` (both coders gave every unit the same answer, e.g. neither used the
code at all) kappa is undefined: there was no variation to agree about.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

#: Landis & Koch (1977) bands: (upper bound inclusive, key). Below 0 is "poor".
BANDS = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
         (1.00, "almost_perfect"))


@dataclass(frozen=True)
class Agreement:
    """A 2×2 table of two coders' yes/no decisions and what follows from it."""

    both: int
    only_a: int
    only_b: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def observed(self) -> float | None:
        return (self.both + self.neither) / self.n if self.n else None

    @property
    def expected(self) -> float | None:
        if not self.n:
            return None
        a_yes, b_yes = (self.both + self.only_a) / self.n, (self.both + self.only_b) / self.n
        return a_yes * b_yes + (1 - a_yes) * (1 - b_yes)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None when undefined (no shared units, or ``pe == 1``)."""
        po, pe = self.observed, self.expected
        if po is None or pe is None or _is_one(pe):
            return None
        return (po - pe) / (1 - pe)

    @property
    def undefined_reason(self) -> str | None:
        """``no_units`` or ``no_variation`` when kappa is undefined, else None."""
        if not self.n:
            return "no_units"
        if self.kappa is None:
            return "no_variation"
        return None

    @property
    def band(self) -> str | None:
        """The Landis & Koch reading of kappa (``poor`` … ``almost_perfect``)."""
        return landis_koch(self.kappa)


def _is_one(value: float) -> bool:
    # pe is a sum of products of fractions with the same denominator: compare with a
    # tolerance so that 0.9999999999 from floating point is still "no variation".
    return abs(1 - value) < 1e-12


def landis_koch(kappa: float | None) -> str | None:
    if kappa is None:
        return None
    if kappa < 0:
        return "poor"
    for upper, key in BANDS:
        if kappa <= upper + 1e-12:
            return key
    return "almost_perfect"


def cohen_kappa(a: Iterable[bool], b: Iterable[bool]) -> Agreement:
    """The agreement of two equally long sequences of yes/no decisions."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError("both coders must decide about the same units")
    pairs = list(zip(a, b, strict=True))
    return Agreement(both=sum(1 for x, y in pairs if x and y),
                     only_a=sum(1 for x, y in pairs if x and not y),
                     only_b=sum(1 for x, y in pairs if y and not x),
                     neither=sum(1 for x, y in pairs if not x and not y))


def per_code(coder_a: Mapping[Hashable, set], coder_b: Mapping[Hashable, set],
             codes: Iterable[Hashable]) -> dict[Hashable, Agreement]:
    """Agreement per code over the units both coders coded.

    ``coder_a``/``coder_b`` map a unit to the set of codes that coder applied to it
    (a unit a coder did not code is absent).
    """
    shared = [unit for unit in coder_a if unit in coder_b]
    return {code: cohen_kappa([code in coder_a[unit] for unit in shared],
                              [code in coder_b[unit] for unit in shared])
            for code in codes}
