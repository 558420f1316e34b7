"""views_results"""

from cocreate.research import bp  # noqa: F401
