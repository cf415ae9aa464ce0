"""Meetings with residents: a resident answers an information evening and signs up for the sounding
board in the portal; the communicating party plans meetings, sees the answers and the members, writes
the notes of a sounding-board meeting and invites residents with a draft campaign. Another project's
meeting, and every party page for another party, do not exist."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation

from communication.models import Campaign, CampaignStatus, TemplateKey
from communication.services.campaigns import campaign_create
from portal import tokens
from portal.models import Meeting, MeetingKind, MeetingReply, SoundingBoardMember
from projects.models import OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, code, *args):
    return reverse(f"portal:{name}", args=[tokens.written(code), *args])


def meeting(project, kind=MeetingKind.INFORMATION_EVENING, days=10, **extra):
    starts_at = timezone.localtime() + datetime.timedelta(days=days)
    return Meeting.objects.create(
        project=project,
        kind=kind,
        title=extra.pop("title", "Informatieavond warmtenet"),
        starts_at=starts_at.replace(hour=19, minute=30, second=0, microsecond=0),
        place=extra.pop("place", "Buurthuis De Kastanje"),
        **extra,
    )


def test_a_resident_answers_a_meeting_and_signs_up_for_the_sounding_board(portal_world, client):
    world = portal_world
    code = world["code"]
    evening = meeting(world["project"])
    board = meeting(world["project"], MeetingKind.SOUNDING_BOARD, days=20, title="Klankbordgroep")

    page = client.get(url("meetings", code)).content.decode()
    assert f'data-meeting="{evening.pk}"' in page and f'id="reply-form-{evening.pk}"' in page
    assert f'data-meeting="{board.pk}"' in page and f'id="reply-form-{board.pk}"' not in page
    assert 'data-member="0"' in page

    # Coming with three; the same form again (a double submit) changes nothing more.
    for _twice in range(2):
        answer = client.post(url("meeting-reply", code, evening.pk), {"coming": "yes", "people": "3"})
        assert answer.status_code == 302
    reply = MeetingReply.objects.get()
    assert (reply.meeting, reply.contact, reply.coming, reply.people) == (evening, world["owner"], True, 3)
    page = client.get(url("meetings", code)).content.decode()
    assert 'data-reply-coming="1" data-people="3"' in page

    # A new answer replaces the old one; seven people or no choice change nothing.
    client.post(url("meeting-reply", code, evening.pk), {"coming": "yes", "people": "7"})
    client.post(url("meeting-reply", code, evening.pk), {"people": "2"})
    assert MeetingReply.objects.get().people == 3
    client.post(url("meeting-reply", code, evening.pk), {"coming": "no"})
    reply = MeetingReply.objects.get()
    assert (reply.coming, reply.people) == (False, 1)

    # The sounding board's meeting is for members: sign up (twice: one membership), then answer.
    client.post(url("meeting-reply", code, board.pk), {"coming": "yes", "people": "1"})
    assert not MeetingReply.objects.filter(meeting=board).exists()
    for _twice in range(2):
        assert client.post(url("sounding-board", code), {"action": "join"}).status_code == 302
    member = SoundingBoardMember.objects.get()
    assert (member.project, member.contact, member.left_at) == (world["project"], world["owner"], None)
    client.post(url("meeting-reply", code, board.pk), {"coming": "yes", "people": "1"})
    assert MeetingReply.objects.filter(meeting=board, contact=world["owner"], coming=True).exists()

    # Members read the notes of the meetings held; the neighbour, not a member, does not.
    held = meeting(world["project"], MeetingKind.SOUNDING_BOARD, days=-14, notes="Besproken: de route.")
    page = client.get(url("meetings", code)).content.decode()
    assert 'data-member="1"' in page and f'data-notes="{held.pk}"' in page
    neighbour = client.get(url("meetings", world["neighbour_code"])).content.decode()
    assert f'data-notes="{held.pk}"' not in neighbour and 'data-member="0"' in neighbour
    assert f'data-meeting="{held.pk}"' not in page  # held meetings are no longer answered

    # Leaving keeps the row with the day; signing up again makes a new one.
    client.post(url("sounding-board", code), {"action": "leave"})
    member.refresh_from_db()
    assert member.left_at is not None
    assert f'data-notes="{held.pk}"' not in client.get(url("meetings", code)).content.decode()


def test_an_answer_after_the_start_is_refused_with_a_message(portal_world, client):
    world = portal_world
    started = meeting(world["project"], days=0)
    Meeting.objects.filter(pk=started.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    answer = client.post(
        url("meeting-reply", world["code"], started.pk), {"coming": "yes", "people": "2"}, follow=True
    )
    assert answer.status_code == 200
    assert 'class="notice error"' in answer.content.decode()
    assert not MeetingReply.objects.exists()


def test_later_meetings_are_on_the_next_page(portal_world, client):
    """A page holds the soonest ten; the eleventh and twelfth are one "later" link away, and a page
    number that is no number or past the end shows a page, not an error."""
    world = portal_world
    planned = [meeting(world["project"], days=day + 1, title=f"Avond {day}") for day in range(12)]

    def shown(query=""):
        page = client.get(url("meetings", world["code"]) + query)
        assert page.status_code == 200
        return [m.pk for m in planned if f'data-meeting="{m.pk}"' in page.content.decode()], page

    first, page = shown()
    assert first == [m.pk for m in planned[:10]] and 'id="later-meetings"' in page.content.decode()
    second, page = shown("?page=2")
    assert second == [m.pk for m in planned[10:]] and 'id="earlier-meetings"' in page.content.decode()
    assert shown("?page=99")[0] == second and shown("?page=x")[0] == first


def test_another_projects_meeting_does_not_exist_for_a_resident(portal_world, client, outsider_project):
    world = portal_world
    elsewhere = meeting(outsider_project)
    assert (
        client.post(
            url("meeting-reply", world["code"], elsewhere.pk), {"coming": "yes", "people": "1"}
        ).status_code
        == 404
    )
    assert f'data-meeting="{elsewhere.pk}"' not in client.get(url("meetings", world["code"])).content.decode()
    assert not MeetingReply.objects.exists()


def test_the_party_plans_a_meeting_sees_answers_and_members_and_invites(portal_world, client):
    world = portal_world
    project, lead = world["project"], world["lead"]
    client.force_login(lead)
    assert (
        'id="meetings-link"' in client.get(reverse("projects:detail", args=[project.slug])).content.decode()
    )
    assert client.get(reverse("meetings:create", args=[project.slug])).status_code == 200
    starts_at = (timezone.localtime() + datetime.timedelta(days=12)).replace(
        hour=19, minute=30, second=0, microsecond=0
    )
    form = {
        "kind": MeetingKind.INFORMATION_EVENING,
        "title": "Avond over ((code)) de aansluiting",
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "place": "Buurthuis",
        "description": "Koffie staat klaar.",
    }
    assert (
        client.post(reverse("meetings:create", args=[project.slug]), {**form, "place": ""}).status_code == 400
    )
    answer = client.post(reverse("meetings:create", args=[project.slug]), form)
    evening = Meeting.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("meetings:detail", args=[evening.pk])
    assert (evening.project, evening.created_by, evening.starts_at) == (project, lead, starts_at)

    # Residents answer and one signs up for the sounding board.
    client.post(url("meeting-reply", world["code"], evening.pk), {"coming": "yes", "people": "2"})
    client.post(url("meeting-reply", world["neighbour_code"], evening.pk), {"coming": "no"})
    client.post(url("sounding-board", world["code"]), {"action": "join"})

    detail = client.get(reverse("meetings:detail", args=[evening.pk])).content.decode()
    owner_reply = MeetingReply.objects.get(contact=world["owner"])
    assert f'data-reply="{owner_reply.pk}" data-contact="{world["owner"].pk}" data-coming="1"' in detail
    assert f'data-contact="{world["neighbour"].pk}" data-coming="0"' in detail
    assert 'data-figure="coming">1<' in detail and 'data-figure="people">2<' in detail
    assert 'data-figure="away">1<' in detail
    listing = client.get(reverse("meetings:list", args=[project.slug])).content.decode()
    assert (
        f'data-member="{world["owner"].pk}"' in listing
        and f'data-member="{world["neighbour"].pk}"' not in listing
    )
    assert f'data-meeting="{evening.pk}"' in listing

    # The invitation: a draft campaign whose own text has the meeting's date; nothing is sent.
    answer = client.post(reverse("meetings:invite", args=[evening.pk]), {"language": "nl"})
    campaign = Campaign.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("communication:campaign", args=[campaign.pk])
    assert (campaign.status, campaign.template_key) == (CampaignStatus.DRAFT, TemplateKey.MEETING_INVITATION)
    assert campaign.template.key == TemplateKey.CUSTOM and campaign.template.approved
    assert "((code))" not in campaign.template.email_body  # typed text never opens a placeholder
    evening.refresh_from_db()
    assert evening.invitation == campaign
    with translation.override("nl"):
        day = formats.date_format(starts_at, "l j F Y")
    preview = client.get(reverse("communication:campaign", args=[campaign.pk])).content.decode()
    assert 'data-preview="email-nl"' in preview and day in preview and "19:30" in preview
    # Inviting again while the draft waits keeps the one draft; a changed date follows into it.
    later = starts_at + datetime.timedelta(days=1)
    client.post(
        reverse("meetings:edit", args=[evening.pk]), {**form, "starts_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    client.post(reverse("meetings:invite", args=[evening.pk]), {"language": "nl"})
    assert Campaign.objects.count() == 1
    with translation.override("nl"):
        assert formats.date_format(later, "l j F Y") in Campaign.objects.get().template.email_body

    # A sounding-board meeting invites the members' homes; its notes are written after it.
    board = meeting(project, MeetingKind.SOUNDING_BOARD, days=30, title="Klankbordgroep")
    client.post(reverse("meetings:invite", args=[board.pk]), {"language": "en"})
    board.refresh_from_db()
    assert board.invitation.filters["dwellings"] == [world["home"].pk]
    assert board.invitation.template.language == "en"
    assert client.post(reverse("meetings:notes", args=[board.pk]), {"notes": "Te vroeg"}).status_code == 400
    Meeting.objects.filter(pk=board.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    assert (
        client.post(
            reverse("meetings:notes", args=[board.pk]), {"notes": "De route is besproken."}
        ).status_code
        == 302
    )
    client.logout()
    page = client.get(url("meetings", world["code"])).content.decode()
    assert f'data-notes="{board.pk}"' in page


def test_a_meeting_invitation_is_made_from_the_meeting_only(portal_world):
    with pytest.raises(ValidationError):
        campaign_create(
            actor=portal_world["lead"],
            project=portal_world["project"],
            name="",
            template_key=TemplateKey.MEETING_INVITATION,
            filters={},
        )


def test_another_party_gets_404_on_every_meeting_page(portal_world, client, outsider_project):
    world = portal_world
    project = world["project"]
    evening = meeting(project)
    board = meeting(project, MeetingKind.SOUNDING_BOARD, days=-1)
    client.post(url("sounding-board", world["code"]), {"action": "join"})
    form = {"kind": "information_evening", "title": "x", "starts_at": "2030-01-01T19:00", "place": "x"}
    outsiders = (
        member_of(project, OrganisationKind.INSTALLER, Role.INSTALLER),
        member_of(outsider_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY),
        UserFactory(organisation=world["planner"].organisation),
    )
    for outsider in outsiders:
        client.force_login(outsider)
        assert (
            'id="meetings-link"'
            not in client.get(reverse("projects:detail", args=[project.slug])).content.decode()
        )
        for path in (
            reverse("meetings:list", args=[project.slug]),
            reverse("meetings:create", args=[project.slug]),
        ):
            assert client.get(path).status_code == 404, path
        assert client.post(reverse("meetings:create", args=[project.slug]), form).status_code == 404
        for pk in (evening.pk, board.pk):
            assert client.get(reverse("meetings:detail", args=[pk])).status_code == 404
            assert client.get(reverse("meetings:edit", args=[pk])).status_code == 404
            assert client.post(reverse("meetings:edit", args=[pk]), form).status_code == 404
            assert client.post(reverse("meetings:notes", args=[pk]), {"notes": "x"}).status_code == 404
            assert client.post(reverse("meetings:invite", args=[pk]), {"language": "nl"}).status_code == 404
    assert Meeting.objects.count() == 2 and not Campaign.objects.exists()
    board.refresh_from_db()
    evening.refresh_from_db()
    assert board.notes == "" and evening.title == "Informatieavond warmtenet"
