"""The admin, scoped like every page and writing through the same services as the pages.

Scope: staff of an organisation see their projects only. An object outside the user's scope answers 404
(Django's admin would redirect with a message, which tells that the object exists). Platform superusers
see everything.

Writes: every form that changes a dwelling's register data or people, governance, a participation, a
sub-team or a person calls the service that the pages call, with the logged-in user as the actor, so that
its permission check, its rules and its log hold here too. A refused change changes nothing and the form
says why. What no service writes from a form (a dwelling's state and everything its moves record, the
facts of a project, jobs, the logs) is shown read-only; a dwelling moves on its own page.
"""

# Each module registers its models with the admin site.
from projects.admin import dwellings, governance, people, platform  # noqa: F401
