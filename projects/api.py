"""REST API for projects, governance and advisories. Same scope and services as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects import selectors, services
from projects.advisories import advise, governance_of
from projects.models import Governance, Organisation, Participation, Project, Role, SubTeam
from projects.permissions import can_edit_governance, organisations_visible_to


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind", "city"]


class ParticipationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "organisation", "role", "phase", "involved_on", "note"]


class SubTeamSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = SubTeam
        fields = ["id", "name", "covers", "members"]

    def get_members(self, subteam) -> list[str]:
        return [str(member) for member in subteam.members.all()]


class AdvisorySerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField(source="severity.name")
    severity_label = serializers.CharField()
    block = serializers.CharField()
    block_title = serializers.CharField()
    reason = serializers.CharField()
    action = serializers.CharField()


class GovernanceSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        help_text="The version you read. A change based on an older version answers 409."
    )
    agreement_document = serializers.SerializerMethodField()

    class Meta:
        model = Governance
        fields = [*services.GOVERNANCE_FIELDS, "version", "updated_at"]
        read_only_fields = ["updated_at"]

    def get_agreement_document(self, governance) -> str | None:
        if not governance.agreement_document:
            return None
        request = self.context.get("request")
        url = f"/projects/{governance.project.slug}/governance/agreement/"
        return request.build_absolute_uri(url) if request else url


class ProjectListSerializer(serializers.ModelSerializer):
    lead_parties = serializers.SerializerMethodField()
    advisory_count = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [*services.PROJECT_FIELDS, "lead_parties", "advisory_count"]

    def get_lead_parties(self, project) -> list[str]:
        return [p.organisation.name for p in project.participations.all() if p.role == Role.LEAD]

    def get_advisory_count(self, project) -> int:
        return len(advise(project))


class ProjectDetailSerializer(ProjectListSerializer):
    participations = ParticipationSerializer(many=True, read_only=True)
    governance = serializers.SerializerMethodField()
    subteams = SubTeamSerializer(many=True, read_only=True)
    advisories = serializers.SerializerMethodField()

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *ProjectListSerializer.Meta.fields,
            "participations",
            "governance",
            "subteams",
            "advisories",
        ]

    def get_governance(self, project) -> dict:
        return GovernanceSerializer(governance_of(project), context=self.context).data

    def get_advisories(self, project) -> list[dict]:
        return AdvisorySerializer(advise(project), many=True).data


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects in which your organisation takes part. Any other project answers 404."""

    lookup_field = "slug"

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def get_serializer_class(self):
        return ProjectListSerializer if self.action == "list" else ProjectDetailSerializer

    @extend_schema(request=GovernanceSerializer, responses=GovernanceSerializer)
    @action(detail=True, methods=["get", "patch"])
    def governance(self, request, slug=None):
        """Read the seven building blocks; the lead party changes them with PATCH and a version."""
        project = self.get_object()
        governance = governance_of(project)
        if request.method == "GET":
            return Response(GovernanceSerializer(governance, context={"request": request}).data)
        if not can_edit_governance(request.user, project):
            raise exceptions.PermissionDenied(
                _("Only the lead party may change the governance of this project.")
            )
        serializer = GovernanceSerializer(
            governance, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "version" not in changes:
            raise exceptions.ValidationError({"version": [_("This field is required.")]})
        version = changes.pop("version")
        try:
            governance = services.governance_update(
                actor=request.user, project=project, version=version, **changes
            )
        except services.StaleObjectError as exc:
            raise Conflict(str(exc)) from exc
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise exceptions.ValidationError(detail) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(GovernanceSerializer(governance, context={"request": request}).data)

    @extend_schema(responses=AdvisorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def advisories(self, request, slug=None):
        """The governance health check of the project, most severe first."""
        return Response(AdvisorySerializer(advise(self.get_object()), many=True).data)

    @action(detail=True, methods=["get"], url_path="governance-log")
    def governance_log(self, request, slug=None):
        """Every governance change: who, when, old and new value."""
        entries = selectors.governance_log(project=self.get_object())
        page = self.paginate_queryset(entries)
        data = [
            {
                "timestamp": entry.timestamp,
                "actor": str(entry.actor) if entry.actor else None,
                "organisation": str(entry.actor.organisation)
                if entry.actor and entry.actor.organisation
                else None,
                "action": entry.get_action_display(),
                "object": entry.object_repr,
                "changes": entry.changes_dict,
            }
            for entry in page
        ]
        return self.get_paginated_response(data)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own organisation and the organisations you share a project with."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisations_visible_to(self.request.user).order_by("name")
