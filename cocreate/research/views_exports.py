"""views_exports"""

from cocreate.research import bp  # noqa: F401
