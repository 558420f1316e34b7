from __future__ import annotations

from cocreate.accounts.models import Membership, User
from cocreate.accounts.service import find_user_by_email
from cocreate.extensions import db

#: Demo mode only; the README lists these. Never seeded outside demo mode.
DEMO_PASSWORD = "demo-cocreate"

PEOPLE = [
    # email, display name, language, site admin, [(town, role)]
    ("admin@demo.cocreate", "Site admin", "en", True, []),
    ("admin@ninove.demo", "An Admin", "nl", False, [("ninove", "admin")]),
    ("official@ninove.demo", "Olivier Official", "nl", False, [("ninove", "official")]),
    ("moderator@ninove.demo", "Mona Moderator", "fr", False, [("ninove", "moderator")]),
    ("researcher@ninove.demo", "Rania Researcher", "en", False,
     [("ninove", "researcher"), ("fermignano", "researcher")]),
    ("participant@ninove.demo", "Pari Participant", "ar", False, [("ninove", "participant")]),
    ("official@fermignano.demo", "Francesca Funzionaria", "en", False,
     [("fermignano", "official"), ("fermignano", "admin")]),
]


def seed(towns) -> list[User]:
    people = []
    for email, name, language, site_admin, roles in PEOPLE:
        user = find_user_by_email(email)
        if user is None:
            user = User(email=email, display_name=name, preferred_language=language,
                        is_site_admin=site_admin)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        held = {(m.municipality_id, m.role) for m in user.memberships}
        for slug, role in roles:
            if (towns[slug].id, role) not in held:
                db.session.add(Membership(user=user, municipality_id=towns[slug].id, role=role))
        people.append(user)
    db.session.flush()
    return people
