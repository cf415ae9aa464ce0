from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CODE_MASK = "••••••"


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Resident portal")

    def ready(self):
        from communication import content
        from portal import grants, pages  # noqa: F401 - the resident's moves, and the parties' panels
        from portal.codes import code_maker
        from portal.links import link_maker
        from portal.services import consent  # noqa: F401 - acceptances in the dwelling's timeline

        # The link and the code are made as a message leaves; the stored text keeps only a mask.
        content.register_secret("portal_link", content.link_mask, link_maker)
        content.register_secret("code", lambda: CODE_MASK, code_maker)
