"""REST API of the survey, as the tablet uses it: read the survey, send answers, works, photos and
the end of the visit. Same scope and services as the pages: a dwelling outside your scope answers
404; inside it, only its surveyor writes (403 for anyone else). Every write can be sent twice
without harm: answers merge, works replace, photos and visits carry the device's own ``client_id``,
and removing a photo that is already gone succeeds.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from projects.models import Dwelling
from projects.permissions import dwellings_visible_to
from surveys.models import Photo, Visit, VisitOutcome
from surveys.schema import RESPONSIBLE, WORKS, proposed_works
from surveys.selectors import survey_view, survey_with_photos, visible_keys, visible_sections
from surveys.services import photo_add, photo_remove, survey_save_answers, visit_record
from surveys.views import finish_message
from surveys.works import survey_save_works

# A visit finished offline is sent within this many days; an older time is a wrong clock.
OFFLINE_DAYS = 60
# The codes of surveys.photos' errors: they are about the uploaded file.
PHOTO_ERROR_FIELDS = {"too_large": "image", "not_an_image": "image", "wrong_type": "image"}


class AnswerSerializer(serializers.Serializer):
    value = serializers.JSONField(
        allow_null=True, required=False, help_text="Text, number, a choice code or a list of choice codes."
    )
    by = serializers.CharField(help_text="Who gave the answer: resident or surveyor.")


class WorkSerializer(serializers.Serializer):
    work = serializers.ChoiceField(choices=WORKS)
    responsible = serializers.ChoiceField(choices=RESPONSIBLE)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "client_id", "field", "url", "width", "height", "created_at"]

    def get_url(self, photo) -> str:
        return reverse("surveys:photo", args=[photo.pk])


class MissingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="<section>.<field>")
    section = serializers.CharField()
    label = serializers.CharField()


class SurveySerializer(serializers.Serializer):
    dwelling = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Goes up with every change of answers or works.")
    complete = serializers.BooleanField()
    sections = serializers.ListField(
        child=serializers.CharField(), help_text="The sections you may read; the others are left out."
    )
    answers = serializers.DictField(child=AnswerSerializer(), help_text='{"<section>.<field>": {value, by}}')
    works = WorkSerializer(many=True)
    proposed_works = WorkSerializer(many=True, help_text="Proposed from the scan and the project's boundary.")
    photos = PhotoSerializer(many=True)
    missing = MissingSerializer(many=True)


class AnswersRequestSerializer(serializers.Serializer):
    answers = serializers.DictField(child=AnswerSerializer(), help_text='{"<section>.<field>": {value, by}}')


class WorksRequestSerializer(serializers.Serializer):
    works = serializers.ListField(
        child=serializers.DictField(), allow_empty=True, help_text='[{"work": ..., "responsible": ...}]'
    )


class PhotoUploadSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="<section>.<field> of a photos, sketch or signature field")
    client_id = serializers.UUIDField(help_text="Made on the device; sending it again stores nothing new.")
    image = serializers.FileField(help_text="JPEG, PNG or WebP")


class VisitRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    client_id = serializers.UUIDField(help_text="Made when the form opened; a retry records one visit.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    second_visit_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when the home was visited before."
    )
    second_person_organisation = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Visited by two: an organisation id."
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    finished_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the visit ended on the device, for a visit finished offline and sent later.",
    )


class VisitSerializer(serializers.ModelSerializer):
    next = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "dwelling",
            "client_id",
            "outcome",
            "started_at",
            "finished_at",
            "note",
            "second_visit_reason",
            "second_person_organisation",
            "next",
        ]

    def get_next(self, visit) -> str:
        return reverse("surveys:my-day")


class IncompleteSurveySerializer(serializers.Serializer):
    survey = serializers.ListField(child=serializers.CharField())
    missing = MissingSerializer(many=True)


def _errors(exc: DjangoValidationError, *, key: str | None = None, code_fields: dict | None = None) -> dict:
    """A service's ValidationError as a DRF error body: per field where the service said which
    (or where ``code_fields`` maps the error's code to a field), the rest as non_field_errors."""
    if hasattr(exc, "error_dict"):
        detail = exc.message_dict
        return {key: detail} if key else detail
    for error in exc.error_list:
        if error.code in (code_fields or {}):
            return {code_fields[error.code]: exc.messages}
    return {"non_field_errors": exc.messages}


def _missing(view) -> list[dict]:
    return [
        {
            "key": item["key"],
            "section": str(section["section"].title),
            "label": str(item["field"].label),
            "dom_id": item["dom_id"],
        }
        for section in view["sections"]
        for item in section["fields"]
        if item["missing"]
    ]


class SurveyViewSet(viewsets.GenericViewSet):
    """The survey of one dwelling (the path's id is the dwelling's)."""

    queryset = Dwelling.objects.none()  # the real one is scoped per user (get_queryset)
    serializer_class = SurveySerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # A visit the state machine refuses answers 400 under "outcome" (projects.api_errors).
    refusal_field = "outcome"

    def get_queryset(self):
        return dwellings_visible_to(self.request.user).select_related("project", "project__governance")

    def _survey(self, dwelling) -> dict:
        survey = survey_with_photos(dwelling)
        view = survey_view(user=self.request.user, dwelling=dwelling, survey=survey)
        keys = visible_keys(visible_sections(self.request.user, dwelling))
        answers = {key: answer for key, answer in (survey.answers if survey else {}).items() if key in keys}
        scan = {
            key.partition(".")[2]: answer.get("value")
            for key, answer in answers.items()
            if key.startswith("dwelling_scan.") and isinstance(answer, dict)
        }
        governance = getattr(dwelling.project, "governance", None)
        return {
            "dwelling": dwelling.pk,
            "version": view["version"],
            "complete": view["complete"],
            "sections": [section["section"].name for section in view["sections"]],
            "answers": answers,
            "works": view["works"],
            "proposed_works": proposed_works(
                boundary=governance.responsibility_boundary if governance else "",
                ownership=dwelling.ownership,
                scan=scan,
            ),
            "photos": [
                photo for section in view["sections"] for f in section["fields"] for photo in f["photos"]
            ],
            "missing": _missing(view),
        }

    def _respond(self, dwelling) -> Response:
        return Response(SurveySerializer(self._survey(dwelling)).data)

    def retrieve(self, request, pk=None):
        """The survey as far as you may read it: an installer never gets the kitchen-table talk."""
        return Response(SurveySerializer(self._survey(self.get_object())).data)

    @extend_schema(request=AnswersRequestSerializer, responses=SurveySerializer)
    def answers(self, request, pk=None):
        """Merge answers into the survey. One wrong answer changes nothing and names the field:
        ``{"answers": {"<section>.<field>": ["message"]}}``."""
        dwelling = self.get_object()
        payload = AnswersRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            survey_save_answers(
                actor=request.user, dwelling_id=dwelling.pk, answers=payload.validated_data["answers"]
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc, key="answers")) from exc
        return self._respond(dwelling)

    @extend_schema(request=WorksRequestSerializer, responses=SurveySerializer)
    def works(self, request, pk=None):
        """Replace the works list: each work once, each with the party responsible for it."""
        dwelling = self.get_object()
        payload = WorksRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        survey_save_works(actor=request.user, dwelling_id=dwelling.pk, works=payload.validated_data["works"])
        return self._respond(dwelling)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, 200: PhotoSerializer},
    )
    def photos(self, request, pk=None):
        """Add a photo (also a sketch or signature). 201 when stored, 200 when this ``client_id``
        was stored before: nothing is stored twice. Anything but a real JPEG, PNG or WebP: 400."""
        dwelling = self.get_object()
        payload = PhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        existed = Photo.objects.filter(client_id=data["client_id"]).exists()
        try:
            photo = photo_add(
                actor=request.user,
                dwelling_id=dwelling.pk,
                field=data["field"],
                upload=data["image"],
                client_id=data["client_id"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc, code_fields=PHOTO_ERROR_FIELDS)) from exc
        return Response(
            PhotoSerializer(photo).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "client_id",
                OpenApiTypes.UUID,
                OpenApiParameter.PATH,
                description="The client_id the photo was sent with.",
            )
        ],
        responses={
            204: OpenApiResponse(description="Removed, or already gone"),
            400: OpenApiResponse(description="The survey of this dwelling can no longer be changed"),
            403: OpenApiResponse(description="Only the surveyor of this dwelling changes its survey"),
            404: OpenApiResponse(description="No such dwelling for you, or the photo is another dwelling's"),
        },
    )
    def remove_photo(self, request, pk=None, client_id=None):
        """Remove a photo (also a sketch or signature) from the survey. 204 also when it is already
        gone, so a retry after a lost answer is harmless; a photo of another dwelling answers 404."""
        dwelling = self.get_object()
        photo_remove(actor=request.user, dwelling_id=dwelling.pk, client_id=client_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=VisitRequestSerializer,
        responses={
            201: VisitSerializer,
            200: VisitSerializer,
            400: OpenApiResponse(IncompleteSurveySerializer, description="Incomplete survey, or bad data"),
        },
    )
    def visits(self, request, pk=None):
        """Record how the visit ended. "completed" needs a complete survey: otherwise 400 with what
        is missing, and nothing is recorded. The same ``client_id`` twice records one visit (200)."""
        dwelling = self.get_object()
        payload = VisitRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        # A device's clock can be wrong: a later time is taken as the arrival (surveys.services), a time
        # longer ago than a device stays offline is refused.
        oldest = timezone.now() - datetime.timedelta(days=OFFLINE_DAYS)
        message = ngettext(
            "This time lies more than %(days)d day back: check the device's clock.",
            "This time lies more than %(days)d days back: check the device's clock.",
            OFFLINE_DAYS,
        ) % {"days": OFFLINE_DAYS}
        too_early = {
            moment: [message]
            for moment in ("started_at", "finished_at")
            if data.get(moment) is not None and data[moment] < oldest
        }
        if too_early:
            raise exceptions.ValidationError(too_early)
        existed = Visit.objects.filter(client_id=data["client_id"]).exists()
        if not existed and data["outcome"] == VisitOutcome.COMPLETED:
            view = survey_view(user=request.user, dwelling=dwelling, survey=survey_with_photos(dwelling))
            missing = _missing(view)
            if missing:
                return Response(
                    {"survey": [_("The survey is not complete yet.")], "missing": missing},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        for moment in ("started_at", "finished_at"):
            if data.get(moment) is None:
                data.pop(moment, None)
        visit = visit_record(actor=request.user, dwelling_id=dwelling.pk, **data)
        if not existed and isinstance(request.successful_authenticator, SessionAuthentication):
            # Back on My day the surveyor reads that it worked.
            messages.success(request._request, finish_message(dwelling, visit.outcome))
        return Response(
            VisitSerializer(visit).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )
