"""The completion API, as the installer's phone uses it, and the heat company's review; mounted at
/api/v1/installations/<dwelling id>/. Same scope and services as the pages: a dwelling outside your
scope, or whose evidence is not yours to see, answers 404; inside it, only its installer (or technician,
or the subcontractor it was handed to) writes. Answers merge, and photos and the report carry the
device's own ``client_id``, so a retry after a lost answer stores nothing twice.

The delivery set register is at /api/v1/delivery-sets/.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from procurement import checklist, selectors, services
from procurement.models import CompletionPhoto, DeliverySet
from procurement.models.completion import required_items
from procurement.permissions import can_see_evidence
from procurement.services.completion import EvidenceMissing, evidence_required
from projects.models import Dwelling
from projects.permissions import dwellings_visible_to
from surveys.api import PHOTO_ERROR_FIELDS, _errors


class CompletionPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CompletionPhoto
        fields = ["id", "client_id", "item", "url", "width", "height", "created_at"]

    def get_url(self, photo) -> str:
        return reverse("installations:photo", args=[photo.pk])


class GapSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="<section>.<item>")
    section = serializers.CharField()
    label = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    section = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()


class CompletionSerializer(serializers.Serializer):
    dwelling = serializers.IntegerField()
    state = serializers.CharField()
    evidence_required = serializers.BooleanField(help_text="The project reports installed with evidence.")
    version = serializers.IntegerField(help_text="Goes up with every change of answers or photos.")
    checklist = ItemSerializer(many=True)
    answers = serializers.DictField(help_text='{"<section>.<item>": value}')
    photos = CompletionPhotoSerializer(many=True)
    missing = GapSerializer(many=True)
    rejection = serializers.DictField(
        allow_null=True, help_text="The heat company's last rejection: reasons per item."
    )


class ChecklistAnswersRequestSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text='{"<section>.<item>": value} (or {"value": ...})')


class ChecklistPhotoUploadSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="<section>.<item> of a photo or signature item")
    client_id = serializers.UUIDField(help_text="Made on the device; sending it again stores nothing new.")
    image = serializers.FileField(help_text="JPEG, PNG or WebP")


class ReportRequestSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text="Made on the device; a retry reports once.")
    installed_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReviewRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "reject"])
    connected_on = serializers.DateField(required=False, allow_null=True, default=None)
    reasons = serializers.DictField(
        required=False,
        default=dict,
        help_text='To reject: {"<section>.<item>": "what is wrong", "": "general"}',
    )


class DeliverySetSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.StringRelatedField()
    installer = serializers.StringRelatedField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = DeliverySet
        fields = [
            "id",
            "serial_number",
            "dwelling",
            "address",
            "project",
            "owner",
            "installer",
            "meter_number",
            "meter_class",
            "start_reading",
            "seal_numbers",
            "installed_on",
            "connected_on",
            "active",
        ]

    def get_address(self, item) -> str:
        return str(item.dwelling)


def _checklist(project_id: int) -> list[dict]:
    required = set(required_items(project_id))
    return [
        {
            "key": key,
            "section": str(section.title),
            "label": str(f.label),
            "kind": f.kind,
            "required": key in required,
        }
        for section, f, key in checklist.all_items()
    ]


class CompletionViewSet(viewsets.GenericViewSet):
    """The commissioning checklist of one dwelling (the path's id is the dwelling's)."""

    queryset = Dwelling.objects.none()  # scoped per user (get_object)
    serializer_class = CompletionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    refusal_field = "detail"

    def get_object(self):
        dwelling = (
            dwellings_visible_to(self.request.user)
            .select_related("project")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if dwelling is None or not can_see_evidence(self.request.user, dwelling):
            raise Http404
        return dwelling

    def _respond(self, dwelling, code=status.HTTP_200_OK) -> Response:
        completion = selectors.completion_of(dwelling)
        rejection = selectors.latest_rejection(dwelling)
        data = {
            "dwelling": dwelling.pk,
            "state": dwelling.state,
            "evidence_required": evidence_required(dwelling.project_id),
            "version": completion.version if completion else 0,
            "checklist": _checklist(dwelling.project_id),
            "answers": completion.answers if completion else {},
            "photos": list(completion.photos.all()) if completion else [],
            "missing": [gap.as_dict() for gap in services.completion_gaps(dwelling, completion)],
            "rejection": (
                {"reasons": rejection.reasons, "reviewed_at": rejection.reviewed_at} if rejection else None
            ),
        }
        return Response(CompletionSerializer(data).data, status=code)

    def retrieve(self, request, pk=None):
        """The checklist with its answers, photos and what is still missing."""
        return self._respond(self.get_object())

    @extend_schema(request=ChecklistAnswersRequestSerializer, responses=CompletionSerializer)
    def answers(self, request, pk=None):
        """Merge answers. One wrong answer changes nothing and names the item:
        ``{"answers": {"<section>.<item>": ["message"]}}``."""
        dwelling = self.get_object()
        payload = ChecklistAnswersRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.completion_save_answers(
                actor=request.user, dwelling_id=dwelling.pk, answers=payload.validated_data["answers"]
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc, key="answers")) from exc
        return self._respond(dwelling)

    @extend_schema(
        request={"multipart/form-data": ChecklistPhotoUploadSerializer},
        responses={201: CompletionPhotoSerializer, 200: CompletionPhotoSerializer},
    )
    def photos(self, request, pk=None):
        """Add a photo (or the signature). 201 when stored, 200 when this ``client_id`` was stored before.
        Anything but a real JPEG, PNG or WebP: 400."""
        dwelling = self.get_object()
        payload = ChecklistPhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        existed = CompletionPhoto.objects.filter(client_id=data["client_id"]).exists()
        try:
            photo = services.completion_photo_add(
                actor=request.user,
                dwelling_id=dwelling.pk,
                item=data["field"],
                upload=data["image"],
                client_id=data["client_id"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc, code_fields=PHOTO_ERROR_FIELDS)) from exc
        return Response(
            CompletionPhotoSerializer(photo).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Removed, or already gone"),
            400: OpenApiResponse(description="The checklist of this dwelling can no longer be changed"),
        },
    )
    def remove_photo(self, request, pk=None, client_id=None):
        """Remove a photo; 204 also when it is already gone."""
        dwelling = self.get_object()
        try:
            services.completion_photo_remove(actor=request.user, dwelling_id=dwelling.pk, client_id=client_id)
        except CompletionPhoto.DoesNotExist as exc:
            raise Http404 from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            200: CompletionSerializer,
            400: OpenApiResponse(description="What is missing"),
            409: OpenApiResponse(description="The dwelling is reported installed already (another report)"),
        },
    )
    def report(self, request, pk=None):
        """Report the dwelling installed. Refused with 400 and the list of what is missing until every
        required item is there; the same ``client_id`` twice reports once."""
        dwelling = self.get_object()
        payload = ReportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.completion_report(actor=request.user, dwelling_id=dwelling.pk, **payload.validated_data)
        except EvidenceMissing as exc:
            return Response(
                {"detail": exc.messages[0], "missing": [gap.as_dict() for gap in exc.gaps]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        dwelling.refresh_from_db()
        response = self._respond(dwelling)
        response.data["next"] = reverse("installations:my-week")
        return response

    @extend_schema(
        request=ReviewRequestSerializer,
        responses={
            200: CompletionSerializer,
            409: OpenApiResponse(description="The dwelling is not (or no longer) reported installed"),
        },
    )
    def review(self, request, pk=None):
        """The heat company confirms the connection (the set enters the register) or rejects the
        installation with a reason per item (the dwelling goes back to installation planned)."""
        dwelling = self.get_object()
        payload = ReviewRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if data["decision"] == "confirm":
                services.installation_confirm(
                    actor=request.user, dwelling_id=dwelling.pk, connected_on=data["connected_on"]
                )
            else:
                services.installation_reject(
                    actor=request.user, dwelling_id=dwelling.pk, reasons=data["reasons"]
                )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from exc
        dwelling.refresh_from_db()
        return self._respond(dwelling)


class DeliverySetViewSet(viewsets.ReadOnlyModelViewSet):
    """The heat company's register of delivery sets. ``?project=<slug>``, ``?serial=<number>``."""

    serializer_class = DeliverySetSerializer

    def get_queryset(self):
        sets = selectors.delivery_sets_visible_to(self.request.user).select_related(
            "project", "owner", "installer", "dwelling"
        )
        project = self.request.query_params.get("project")
        if project:
            sets = sets.filter(project__slug=project)
        serial = self.request.query_params.get("serial")
        if serial:
            sets = sets.filter(serial_number=serial)
        return sets.order_by("project_id", "dwelling__street", "dwelling__house_number", "pk")
