"""The demo's resident communication in Tuindorp-Oost: the cooperative's contact point, the standard
automatic messages, an approved own text, a sent campaign with its statuses (a bounce, letters for
those without e-mail), automatic messages in the homes' timelines, and the main contractor's request
waiting in the cooperative's queue.

Made through the services, as the cooperative would; the campaign is sent in this process (e-mails to
files under var/mail, SMS under var/sms, the letters PDF in the media). Idempotent: once the project
has a campaign, nothing more.
"""

from django.db import transaction

from communication import delivery, tasks
from communication.models import Campaign, Message, MessageStatus
from communication.sending import send_queued
from communication.services import automatic, campaigns, requests, templates
from projects.models import Channel, DwellingTransition, Project, User

from .parties import TUINDORP
from .today import MAIN_CONTRACTOR_PLANNER as PLANNER

COOPERATIVE = "cooperatie@demo.test"


@transaction.atomic
def communication_demo() -> int:
    """The number of messages made (0 when the demo had its communication already)."""
    project = Project.objects.filter(slug=TUINDORP).first()
    speaker = User.objects.filter(email=COOPERATIVE).first()
    if project is None or speaker is None or Campaign.objects.filter(project=project).exists():
        return 0
    automatic.settings_save(
        actor=speaker,
        project=project,
        values={
            "contact_name": "Warmteloket Tuindorp",
            "contact_phone": "020 123 45 67",
            "contact_email": "loket@warmtecooperatie-tuindorp.example.com",
        },
    )
    automatic.use_default_rules(actor=speaker, project=project)
    own = templates.template_save(
        actor=speaker,
        project=project,
        key="information_letter",
        language="nl",
        values={
            "email_subject": "Tuindorp-Oost gaat van het gas af: zo gaat het bij u",
            "email_body": (
                "Beste ((name)),\n\nUw straat krijgt een warmtenet. Warmtecoöperatie Tuindorp regelt de "
                "aansluiting van ((address)), van het eerste bezoek tot de werkende aansluiting.\n\n"
                "Wat gebeurt er?\n1. We maken een afspraak voor één bezoek.\n2. U krijgt een plan.\n"
                "3. U zegt ja of nee.\n4. De installateur sluit uw woning aan.\n\n"
                "Op ((portal_link)) ziet u altijd hoe het staat.\n\nVragen? Bel ((contact_name)): "
                "((contact_phone)).\n\nMet vriendelijke groet,\n((sender))"
            ),
            "sms_body": "((sender)): uw woning krijgt een warmtenet. Alles op ((portal_link))",
            "letter_body": (
                "Beste ((name)),\n\nUw straat krijgt een warmtenet. Warmtecoöperatie Tuindorp regelt de "
                "aansluiting van uw woning, van het eerste bezoek tot de werkende aansluiting.\n\n"
                "Vragen? Bel ((contact_name)): ((contact_phone)).\n\nMet vriendelijke groet,\n((sender))"
            ),
        },
    )
    templates.template_approve(actor=speaker, template=own)
    street = (
        project.dwellings.filter(contacts__isnull=False)
        .order_by("street")
        .values_list("street", flat=True)
        .first()
    )
    campaign = campaigns.campaign_create(
        actor=speaker,
        project=project,
        name=f"Informatiebrief {street}",
        template_key="information_letter",
        filters={"streets": [street]},
    )
    campaigns.campaign_send(actor=speaker, campaign=campaign)
    # Sent here and now, as a worker would: the task sent after the commit then finds it done.
    tasks.campaign_dispatch_task(campaign.pk)
    sent = Message.objects.filter(campaign=campaign)
    bounced = sent.filter(channel=Channel.EMAIL, status=MessageStatus.SENT).order_by("pk").first()
    if bounced is not None:
        delivery.record(
            Channel.EMAIL,
            status=MessageStatus.BOUNCED,
            reference=str(bounced.reference),
            reason="550 5.1.1 mailbox unavailable",
        )
    for message in sent.filter(channel=Channel.EMAIL, status=MessageStatus.SENT).order_by("pk")[1:6]:
        delivery.record(Channel.EMAIL, status=MessageStatus.DELIVERED, reference=str(message.reference))
    # Automatic messages of the latest survey appointments, as the workflow would have sent them.
    recent = DwellingTransition.objects.filter(dwelling__project=project, transition="plan_survey").order_by(
        "-at"
    )
    made = automatic.messages_for_moves(list(recent.values_list("pk", flat=True)[:5]))
    send_queued(message_ids=made)
    # The main contractor's planner asks the cooperative to tell a street about the digging.
    planner = User.objects.filter(email=PLANNER).first()
    if planner is not None:
        homes = list(
            project.dwellings.filter(
                installer=planner.organisation, state__in=["assigned", "installation_planned"]
            ).values_list("pk", flat=True)[:8]
        )
        if homes:
            requests.request_create(
                actor=planner,
                project=project,
                dwelling_ids=homes,
                text="Volgende week graven wij in uw straat voor de aansluitleidingen. Parkeer uw auto die "
                "dagen graag ergens anders; de stoep blijft begaanbaar.",
            )
    return Message.objects.filter(project=project).count()
