"""views_coding"""

from cocreate.research import bp  # noqa: F401
