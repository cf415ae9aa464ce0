"""The states of a dwelling on its way from survey to connection.

A dwelling is *registered* when it enters the register (by hand or by import). The lead or the
communicating party *informs* the residents. The survey party *plans a survey*: an appointment and
the surveyor who will come; the visit can be *moved* to another time or *called off* before it takes
place (by the survey party, or by the resident in the portal), which counts no visit. The surveyor
*records the survey* (one visit, everything every party
needs) or records that the *visit failed* (nobody home, no access, refused), which sends the dwelling
back to *informed*; the number of visits is kept. The lead party *approves the connection plan*.
The lead or communicating party *records the agreement* of the right signatory (the owner-occupier,
the housing association for its homes, the landlord for a private rental, for an apartment also the
owners' association for the common parts). The dwelling is *assigned* to an installer, who *plans
the installation* and *reports it installed*; until then the lead party may *move it to another
installer* with a reason (everything recorded stays with the dwelling). The heat company *confirms
the connection* when it accepts the delivery set into its management, or *rejects the installation*
with a reason.

Side exits: the owner *declines* (from informed up to agreed; can be *reopened*), the lead party puts
an active dwelling *on hold* with a reason (*resume* returns it to the state it was held in), or
*withdraws* it (demolition, out of scope) from any state but connected.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DwellingState(models.TextChoices):
    REGISTERED = "registered", _("registered")
    INFORMED = "informed", _("informed")
    SURVEY_PLANNED = "survey_planned", _("survey planned")
    SURVEYED = "surveyed", _("surveyed")
    PLAN_READY = "plan_ready", _("connection plan ready")
    AGREED = "agreed", _("agreed")
    ASSIGNED = "assigned", _("assigned")
    INSTALLATION_PLANNED = "installation_planned", _("installation planned")
    INSTALLED = "installed", _("installed")
    CONNECTED = "connected", _("connected")
    DECLINED = "declined", _("declined")
    ON_HOLD = "on_hold", _("on hold")
    WITHDRAWN = "withdrawn", _("withdrawn")


S = DwellingState

# The main path, in order.
MAIN_PATH = [
    S.REGISTERED,
    S.INFORMED,
    S.SURVEY_PLANNED,
    S.SURVEYED,
    S.PLAN_READY,
    S.AGREED,
    S.ASSIGNED,
    S.INSTALLATION_PLANNED,
    S.INSTALLED,
    S.CONNECTED,
]
# Active: on the way, not finished and not set aside. These can be put on hold.
ACTIVE_STATES = MAIN_PATH[:-1]
# From informed up to and including agreed, the owner can still say no.
DECLINABLE_STATES = MAIN_PATH[1:6]
WITHDRAWABLE_STATES = [state for state in S if state not in (S.CONNECTED, S.WITHDRAWN)]
SIDE_STATES = [S.DECLINED, S.ON_HOLD, S.WITHDRAWN]


class VisitFailure(models.TextChoices):
    NOT_HOME = "not_home", _("nobody home")
    NO_ACCESS = "no_access", _("no access")
    REFUSED = "refused", _("refused")
    SECOND_VISIT_NEEDED = "second_visit_needed", _("second visit needed")


class Signatory(models.TextChoices):
    OWNER_OCCUPIER = "owner_occupier", _("owner-occupier")
    HOUSING_ASSOCIATION = "housing_association", _("housing association")
    LANDLORD = "landlord", _("landlord")
