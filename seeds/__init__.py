"""Demo data, one module per domain, driven by ``flask seed demo``.

Every step looks up before it creates, so running the seed again changes nothing.
"""

from __future__ import annotations


def run_demo(responses: int = 300) -> dict[str, int]:
    from cocreate.extensions import db
    from seeds import accounts, focusgroups, labs, municipalities, plans, research, surveys

    towns = municipalities.seed()
    people = accounts.seed(towns)
    lab_count = labs.seed(towns)
    surveys.seed(towns, count=responses)
    focusgroups.seed(towns)
    plans.seed(towns)
    research.seed(towns)
    db.session.commit()
    return {"municipalities": len(towns), "people": len(people), "labs": lab_count}
