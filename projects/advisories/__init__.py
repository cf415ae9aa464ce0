"""The governance health check: advice per project, computed from its choices and its context.

Each rule (``rules.py``) reads a project whose participations (with organisations), governance and
sub-teams are loaded, and yields advisories where a choice goes against the advice of the research
report "De laatste meter". Rules do no queries of their own, so a list of projects is checked in a
fixed number of queries (see ``projects.selectors``). A project that follows every piece of advice
yields none.
"""

from . import rules  # noqa: F401  (registers the rules)
from .base import RULES, Advisory, Severity, advise, block_status, governance_of

__all__ = ["RULES", "Advisory", "Severity", "advise", "block_status", "governance_of"]
