"""REST API for projects, governance and advisories. Same scope and services as the pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects import history, selectors, services, workflow
from projects.advisories import advise, governance_of
from projects.filters import DwellingFilter
from projects.models import Contact, Dwelling, Governance, Organisation, Participation, Project, Role, SubTeam
from projects.permissions import (
    can_edit_governance,
    can_see_access_contact,
    can_see_contacts,
    can_see_extra_care_note,
    can_view_history,
    can_view_project_records,
    dwellings_visible_to,
    organisations_visible_to,
    people_search_projects,
)
from projects.states import DwellingState
from projects.timeline import timeline


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


class GovernanceLogEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    organisation = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    object = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text='Per field [old, new]; for members {"type": "m2m", "operation": ..., "objects": [...]}',
    )


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


class ProjectUpdateSerializer(serializers.ModelSerializer):
    """The facts of a project the lead party corrects; send only what changes."""

    class Meta:
        model = Project
        fields = list(services.PROJECT_UPDATE_FIELDS)


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects in which your organisation takes part. Any other project answers 404."""

    lookup_field = "slug"

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def get_serializer_class(self):
        return ProjectListSerializer if self.action == "list" else ProjectDetailSerializer

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectDetailSerializer)
    def partial_update(self, request, slug=None):
        """Correct the project's facts (name, planned dwellings, threshold, dates, ...): a coordinator
        of the lead party (403 for others); every change is on the project's change log. The project
        page's form does the same through the same service."""
        project = self.get_object()
        if not can_edit_governance(request.user, project):
            raise exceptions.PermissionDenied(
                _("Only a coordinator of the lead party changes the facts of this project.")
            )
        payload = ProjectUpdateSerializer(project, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.project_update(actor=request.user, project=project, **payload.validated_data)
        project = self.get_queryset().get(pk=project.pk)
        return Response(ProjectDetailSerializer(project, context={"request": request}).data)

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
                _("Only a coordinator of the lead party changes the governance of this project.")
            )
        serializer = GovernanceSerializer(
            governance, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "version" not in changes:
            raise exceptions.ValidationError({"version": [_("This field is required.")]})
        version = changes.pop("version")
        # A stale version answers 409, a refused change 400 or 403 (projects.api_errors).
        governance = services.governance_update(
            actor=request.user, project=project, version=version, **changes
        )
        return Response(GovernanceSerializer(governance, context={"request": request}).data)

    @extend_schema(responses=AdvisorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def advisories(self, request, slug=None):
        """The governance health check of the project, most severe first."""
        return Response(AdvisorySerializer(advise(self.get_object()), many=True).data)

    @extend_schema(responses=GovernanceLogEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="governance-log")
    def governance_log(self, request, slug=None):
        """Every governance change: who, when, old and new value."""
        project = self.get_object()
        if not can_view_project_records(request.user, project):
            raise exceptions.NotFound
        entries = selectors.governance_log(project=project)
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


# --- Dwellings ---------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["role", "name", "email", "phone", "preferred_channel", "language"]


class DwellingSerializer(serializers.ModelSerializer):
    """A dwelling as far as the viewer may see it: people and the care note only where allowed."""

    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    housing_association = serializers.StringRelatedField(allow_null=True)
    installer = serializers.StringRelatedField(allow_null=True)
    technician = serializers.StringRelatedField(allow_null=True)
    contacts = serializers.SerializerMethodField()
    extra_care_note = serializers.SerializerMethodField()

    class Meta:
        model = Dwelling
        fields = [
            "id",
            "project",
            *services.REGISTER_FIELDS,
            "state",
            "state_reason",
            "state_changed_at",
            "visit_count",
            "survey_appointment_at",
            "installer",
            "technician",
            "installation_planned_on",
            "connected_on",
            "contacts",
        ]

    def _user(self):
        return self.context["request"].user

    def get_contacts(self, dwelling) -> list[dict]:
        user = self._user()
        contacts = list(dwelling.contacts.all())
        if can_see_contacts(user, dwelling):
            return ContactSerializer(contacts, many=True).data
        access = dwelling.access_contact(contacts) if can_see_access_contact(user, dwelling) else None
        return [{"role": "resident", "name": access.name, "phone": access.phone}] if access else []

    def get_extra_care_note(self, dwelling) -> str | None:
        return dwelling.extra_care_note if can_see_extra_care_note(self._user(), dwelling) else None


def _move_parameters() -> dict[str, serializers.Field]:
    """One field per parameter of the moves (``projects.workflow``); the service decides which a move
    requires."""
    fields = {}
    for move in workflow.MOVES.values():
        for param in move.params:
            fields.setdefault(param.name, param.api_field())
    return fields


TransitionRequestSerializer = type(
    "TransitionRequestSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "A move of one dwelling and its parameters, as projects/workflow/moves.py declares them.",
        "transition": serializers.ChoiceField(choices=sorted(workflow.MOVES)),
        "expected_state": serializers.ChoiceField(
            choices=DwellingState.choices,
            help_text="The state you saw. If the dwelling moved on meanwhile: 409, and nothing changes.",
        ),
        "reason": serializers.CharField(required=False, allow_blank=True, default=""),
        **_move_parameters(),
    },
)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    hidden = serializers.BooleanField(help_text="Free text: only that it changed, not what it said")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    organisation = serializers.CharField()
    subject = serializers.CharField(help_text="What changed: the register data, a person, the survey answers")
    action = serializers.CharField()
    source = serializers.CharField(
        help_text="Where: the dwelling page, the API, an import, the admin, the survey"
    )
    changes = FieldChangeSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    actor = serializers.CharField()
    organisation = serializers.CharField()
    public = serializers.BooleanField()
    url = serializers.CharField(
        help_text="A page or document about the entry, if any (a connection plan's PDF)"
    )


class DwellingViewSet(viewsets.ReadOnlyModelViewSet):
    """Dwellings you may see, filtered like the list page (``?project=slug&state=informed&q=...``)."""

    serializer_class = DwellingSerializer

    def get_queryset(self):
        queryset = (
            dwellings_visible_to(self.request.user)
            .select_related("project", "housing_association", "installer", "technician")
            .prefetch_related("contacts")
            .order_by("project_id", "street", "house_number", "house_letter", "house_number_addition", "pk")
        )
        if self.action == "list":
            slug = self.request.query_params.get("project")
            if slug:
                queryset = queryset.filter(project__slug=slug)
            queryset = DwellingFilter(
                self.request.query_params,
                queryset=queryset,
                people_projects=people_search_projects(self.request.user),
            ).qs
        return queryset

    @extend_schema(request=TransitionRequestSerializer, responses=DwellingSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Make one move. 409 if the dwelling is no longer in ``expected_state``; 403 if your
        organisation may not make it; 400 if it is not possible now or data is missing."""
        dwelling = self.get_object()
        payload = TransitionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {k: v for k, v in payload.validated_data.items() if v is not None or k == "tenant_supports"}
        name = data.pop("transition")
        expected = data.pop("expected_state")
        reason = data.pop("reason", "")
        # The domain's errors become 409, 403 and 400 answers in projects.api_errors.
        dwelling = services.dwelling_transition(
            actor=request.user,
            dwelling_id=dwelling.pk,
            transition=name,
            expected_state=expected,
            reason=reason,
            **data,
        )
        dwelling = self.get_queryset().get(pk=dwelling.pk)
        return Response(DwellingSerializer(dwelling, context={"request": request}).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed which data of the dwelling, its people and its survey, newest first (the lead
        party; 404 for others). Free text is given as changed, without its content."""
        dwelling = self.get_object()
        if not can_view_history(request.user, dwelling):
            raise exceptions.NotFound
        page = self.paginate_queryset(history.history_for_dwelling(dwelling.pk))
        rows = history.history_rows(page)
        return self.get_paginated_response(HistoryEntrySerializer(rows, many=True).data)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        """What happened to the dwelling, newest first; ``?public=1`` for the resident's view."""
        dwelling = self.get_object()
        public_only = request.query_params.get("public") in ("1", "true")
        return Response(
            TimelineEntrySerializer(timeline(dwelling, request.user, public_only=public_only), many=True).data
        )
