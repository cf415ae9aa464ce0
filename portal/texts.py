"""What the resident reads about their home, in plain words (B1): where it stands and what comes next."""

from django.utils.translation import gettext_lazy as _

from projects.states import DwellingState as S

# Per state: the headline and one or two short sentences on what it means for the resident.
STATE_TEXTS = {
    S.REGISTERED: (
        _("Your home is on the list"),
        _("Your home is part of the heat network project. You will get a letter with more information soon."),
    ),
    S.INFORMED: (
        _("Choose a time for the home visit"),
        _(
            "Someone will come to look at your home, about an hour and a half. "
            "Choose a time that suits you below."
        ),
    ),
    S.SURVEY_PLANNED: (
        _("We are coming to look at your home"),
        _("Please be home at the time below. You can change the time until a day before."),
    ),
    S.SURVEYED: (
        _("We are making your connection plan"),
        _("We visited your home. We now write down what will happen in your home. This takes a few weeks."),
    ),
    S.PLAN_READY: (
        _("Your connection plan is ready"),
        _("Read what will happen in your home. Do you agree? Then give your consent here."),
    ),
    S.AGREED: (
        _("Thank you for your consent"),
        _("We will now choose the installer for your street. You will hear from us when the date is known."),
    ),
    S.ASSIGNED: (
        _("An installer will do the work"),
        _("The installer will plan the work in your home. You will get the date from us."),
    ),
    S.INSTALLATION_PLANNED: (
        _("The date of the work is known"),
        _("The installer comes on the date below. Please make sure the spot for the delivery set is free."),
    ),
    S.INSTALLED: (
        _("The work is done"),
        _("The heat company checks the work. Then your home is connected to the heat network."),
    ),
    S.CONNECTED: (
        _("Your home is connected"),
        _("Welcome to the heat network. Is something wrong with your heating or hot water? Report it here."),
    ),
    S.DECLINED: (
        _("You said no, for now"),
        _("Your home is not being connected. Changed your mind? Ask us a question below."),
    ),
    S.ON_HOLD: (
        _("Your home is on hold"),
        _("We have paused the work for your home for a while. We will tell you when we go on."),
    ),
    S.WITHDRAWN: (
        _("Your home is not part of the project"),
        _("Your home will not be connected in this project. Questions? Ask us below."),
    ),
}

# The steps the resident sees, in order: the state reached, and what the step is called.
STEPS = [
    (S.INFORMED, _("Information received")),
    (S.SURVEY_PLANNED, _("Home visit planned")),
    (S.SURVEYED, _("Home visit done")),
    (S.PLAN_READY, _("Connection plan ready")),
    (S.AGREED, _("Consent given")),
    (S.ASSIGNED, _("Installer chosen")),
    (S.INSTALLATION_PLANNED, _("Date of the work planned")),
    (S.INSTALLED, _("Work done")),
    (S.CONNECTED, _("Connected")),
]
