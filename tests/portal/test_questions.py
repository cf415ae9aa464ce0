"""A resident's question with a photo lands in the communicating party's inbox; the answer goes out on
the person's channel and shows in the portal. An aftercare report goes to the heat company. Preferences
are the person's own, and extra help shows to others as the extra-care flag only."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communication.models import Message
from portal import tokens
from portal.models import Question, QuestionStatus, Reply
from projects.models import Contact, Dwelling, OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, code):
    return reverse(f"portal:{name}", args=[tokens.written(code)])


def photo(name="lek.jpg", fmt="JPEG"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, fmt, exif=Image.Exif())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def cooperative(portal_world):
    """The project's communicating party (the heat company, in this project), who answers residents."""
    return portal_world["lead"]


def test_a_question_with_a_photo_is_answered_from_the_inbox(
    portal_world, cooperative, client, django_capture_on_commit_callbacks
):
    world = portal_world
    code = world["code"]
    form_id = str(uuid.uuid4())
    answer = client.post(
        url("questions", code), {"text": "Mag de kat binnen blijven?", "client_id": form_id, "photo": photo()}
    )
    assert answer.status_code == 302
    # The same form again (a double submit) makes no second question.
    client.post(
        url("questions", code), {"text": "Mag de kat binnen blijven?", "client_id": form_id, "photo": photo()}
    )
    question = Question.objects.get()
    assert question.addressed_to == cooperative.organisation and question.photo
    assert question.contact == world["owner"] and question.status == QuestionStatus.OPEN

    # The communicating party's inbox has it.
    client.force_login(cooperative)
    inbox = client.get(reverse("inbox:list")).content.decode()
    assert f'data-question="{question.pk}"' in inbox
    assert client.get(reverse("inbox:photo", args=[question.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inbox:question", args=[question.pk]), {"action": "answer", "text": "Ja, dat mag."}
        )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_at is not None
    (mail,) = world["smtp"].to("anna@example.test")
    assert "Ja, dat mag." in mail
    reply = Reply.objects.get()
    assert Message.objects.get(reference=reply.message_reference).template_key == "answer"

    # The answer shows in the portal, on the person's own page only.
    client.logout()
    page = client.get(url("home", code)).content.decode()
    assert f'data-reply="{reply.pk}"' in page
    neighbour = client.get(url("home", world["neighbour_code"])).content.decode()
    assert f'data-question="{question.pk}"' not in neighbour


def test_a_note_for_colleagues_is_not_sent_and_another_party_cannot_answer(
    portal_world, cooperative, client, outsider_project
):
    world = portal_world
    client.post(
        url("questions", world["code"]), {"text": "Wanneer komen jullie?", "client_id": str(uuid.uuid4())}
    )
    question = Question.objects.get()
    client.force_login(cooperative)
    client.post(
        reverse("inbox:question", args=[question.pk]),
        {"action": "answer", "text": "Bel Piet", "internal": "on"},
    )
    assert Message.objects.count() == 0
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and question.answered_at is None
    for outsider in (
        member_of(outsider_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY),
        member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER),
        UserFactory(organisation=world["planner"].organisation),
    ):
        client.force_login(outsider)
        assert f'data-question="{question.pk}"' not in client.get(reverse("inbox:list")).content.decode()
        assert client.get(reverse("inbox:question", args=[question.pk])).status_code == 404
        answer = client.post(reverse("inbox:question", args=[question.pk]), {"action": "answer", "text": "x"})
        assert answer.status_code == 404
        assert client.get(reverse("inbox:photo", args=[question.pk])).status_code == 404
    assert Reply.objects.count() == 1


def test_a_wrong_file_or_an_empty_question_keeps_what_was_typed(portal_world, client):
    code = portal_world["code"]
    fake = SimpleUploadedFile("foto.jpg", b"this is not a picture", content_type="image/jpeg")
    answer = client.post(
        url("questions", code), {"text": "Mijn vraag", "client_id": str(uuid.uuid4()), "photo": fake}
    )
    assert answer.status_code == 400 and "Mijn vraag" in answer.content.decode()
    assert 'id="photo-error"' in answer.content.decode()
    empty = client.post(url("questions", code), {"text": " ", "client_id": str(uuid.uuid4())})
    assert empty.status_code == 400 and 'id="text-error"' in empty.content.decode()
    # At the top, one summary with a link to each field to put right.
    summary = empty.content.decode().split('id="error-summary"')
    assert len(summary) == 2 and 'href="#id_text"' in summary[1].split("</div>")[0]
    assert Question.objects.count() == 0


def test_aftercare_goes_to_the_heat_company_once_connected(portal_world, client, heat_company):
    world = portal_world
    code = world["code"]
    assert client.get(url("aftercare", code)).status_code == 404
    Dwelling.objects.filter(pk=world["home"].pk).update(state="connected")
    form = {
        "problem": "no_hot_water",
        "text": "Geen warm water sinds vanochtend",
        "client_id": str(uuid.uuid4()),
    }
    assert client.post(url("aftercare", code), {**form, "problem": "fire"}).status_code == 400
    assert client.post(url("aftercare", code), {**form, "photo": photo()}).status_code == 302
    report = Question.objects.get()
    assert (report.kind, report.problem, report.addressed_to) == ("aftercare", "no_hot_water", heat_company)
    assert f'data-question="{report.pk}"' in client.get(url("aftercare", code)).content.decode()


def test_preferences_are_the_persons_own_and_extra_help_shows_as_the_flag(portal_world, client):
    world = portal_world
    code = world["code"]
    Contact.objects.filter(pk=world["owner"].pk).update(phone="")
    answer = client.post(url("preferences", code), {"channel": "sms", "language": "en"})
    assert answer.status_code == 400  # no mobile number known
    assert Contact.objects.get(pk=world["owner"].pk).preferred_channel == "email"
    answer = client.post(
        url("preferences", code),
        {"channel": "email", "language": "en", "sms_opt_out": "on", "extra_help": ["someone_present"]},
    )
    assert answer.status_code == 302
    owner = Contact.objects.get(pk=world["owner"].pk)
    assert (owner.language, owner.sms_opt_out, owner.extra_help) == ("en", True, ["someone_present"])
    assert Dwelling.objects.get(pk=world["home"].pk).extra_care
    # The page now speaks the person's language.
    assert client.get(url("home", code)).content.decode().startswith('<!doctype html>\n\n<html lang="en">')


def test_the_project_page_shows_response_times_and_the_dwelling_page_the_links(portal_world, client):
    world = portal_world
    client.post(
        url("questions", world["code"]), {"text": "Wanneer komen jullie?", "client_id": str(uuid.uuid4())}
    )
    question = Question.objects.get()
    client.force_login(world["lead"])
    client.post(reverse("inbox:question", args=[question.pk]), {"action": "answer", "text": "Volgende week."})
    page = client.get(reverse("projects:detail", args=[world["project"].slug])).content.decode()
    assert 'id="response-panel"' in page and 'data-figure="within">100%' in page
    home = client.get(
        reverse("projects:dwelling", args=[world["project"].slug, world["home"].pk])
    ).content.decode()
    assert f'data-person="{world["owner"].pk}" data-working="1"' in home
    # Revoke and send anew: the old link stops working, a new one goes to the person.
    client.post(reverse("inbox:new-link", args=[world["owner"].pk]))
    client.logout()
    assert client.get(url("home", world["code"])).status_code == 404
    # The installer may not revoke anyone's link.
    installer = member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
    client.force_login(installer)
    assert client.post(reverse("inbox:new-link", args=[world["neighbour"].pk])).status_code == 404
    client.logout()
    assert client.get(url("home", world["neighbour_code"])).status_code == 200


@pytest.mark.parametrize(
    ("asked", "deadline"),
    [
        ("2026-12-04 15:00", "2026-12-08 15:00"),  # Friday afternoon: Tuesday afternoon
        ("2026-12-05 10:00", "2026-12-09 00:00"),  # Saturday: counted from Monday morning
        ("2026-12-07 09:30", "2026-12-09 09:30"),  # Monday: Wednesday
    ],
)
def test_two_working_days_skip_the_weekend(asked, deadline):
    from portal.selectors import add_working_days

    def local(text):
        return timezone.make_aware(datetime.datetime.fromisoformat(text))

    assert add_working_days(local(asked), 2) == local(deadline)


def test_the_help_asked_for_shows_to_the_communicating_party_only(portal_world, client):
    world = portal_world
    client.post(
        url("preferences", world["code"]),
        {"channel": "email", "language": "nl", "extra_help": ["more_time", "someone_present"]},
    )
    page = reverse("projects:dwelling", args=[world["project"].slug, world["home"].pk])
    client.force_login(world["lead"])
    assert f'data-extra-help="{world["owner"].pk}"' in client.get(page).content.decode()
    # The survey party sees the extra-care flag on the home, not which help.
    Dwelling.objects.filter(pk=world["home"].pk).update(survey_party=world["planner"].organisation)
    client.force_login(world["planner"])
    shown = client.get(page)
    assert shown.status_code == 200 and "data-extra-help" not in shown.content.decode()
