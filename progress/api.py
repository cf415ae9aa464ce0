"""Progress figures through the API, mounted at /api/v1/progress/: the same ``Dashboard`` as the pages,
through the same scopes (404 outside them) and the same aggregation service, so a municipality's
monitor gets "< 10" where the page shows it.

A count is a number, the string "< N" for a count below the threshold, or "x" for a value hidden so
that it cannot reveal one (a cell a total would give away, a share or median of a small group); a share
is a percentage (0-100); ``null`` means no data.
"""

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from progress import scopes
from progress.aggregates import Table
from progress.cells import Suppressed
from progress.figures import Dashboard, dashboard


def value(cell):
    if isinstance(cell, Suppressed):
        return str(cell)
    return cell


def table_data(table: Table | None) -> dict | None:
    if table is None:
        return None
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [{"key": key, "label": str(label)} for key, label in table.columns],
        "rows": [
            {
                "key": row.key,
                "label": str(row.label),
                "cells": {key: value(cell) for key, cell in row.cells.items()},
                "total": value(row.total) if table.row_totals else None,
            }
            for row in table.rows
        ],
        "totals": {key: value(cell) for key, cell in table.totals.items()} if table.column_totals else None,
        "grand_total": value(table.grand) if table.column_totals else None,
    }


def board_data(board: Dashboard) -> dict:
    forecast = board.forecast
    data = {
        "projects": [{"slug": project.slug, "name": project.name} for project in board.projects],
        "made_at": board.made_at,
        "exact": board.viewer.exact,
        "suppressed_below": None if board.viewer.exact else board.viewer.below,
        "total": value(board.total),
        "connected": value(board.connected),
        "forecast": {
            "connections_per_week": forecast.pace,
            "remaining": value(forecast.remaining) if board.viewer.exact else None,
            "last_connection_on": forecast.date,
        },
        "thresholds": [
            {
                "project": row.project.slug,
                "dwellings": value(row.total),
                "agreed": value(row.agreed),
                "share": value(row.share),
                "threshold": row.threshold,
                "reached": row.reached,
                "expected_on": row.date,
                "target_date": row.target_date,
            }
            for row in board.thresholds
        ],
        "lead_times": [
            {
                "key": row.key,
                "label": str(row.label),
                "dwellings": value(row.count),
                "median_days": value(row.median),
                "p80_days": value(row.p80),
            }
            for row in board.lead_times
        ],
        "visits": {key: value(cell) for key, cell in board.visits.items()},
        "declined": value(board.declines["count"]),
        "questions": {key: value(cell) for key, cell in board.questions.items()},
        "tables": [
            table_data(table)
            for table in (
                board.funnel,
                board.phases_per_project,
                board.weekly,
                board.second_visits,
                board.messages,
                board.rework,
                *board.breakdowns.values(),
            )
        ],
    }
    if board.costs is not None:
        data["costs"] = [
            {
                # Amounts as decimal strings, as DRF's DecimalField gives them: no rounding by a float.
                "project": row["project"].slug,
                "budget": None if row["budget"] is None else str(row["budget"]),
                "estimate": str(row["estimate"]),
                "actual": str(row["actual"]),
                "estimate_of_done": str(row["estimate_of_done"]),
            }
            for row in board.costs
        ]
    return data


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "pattern": "^(< [0-9]+|x)$"}],
        "nullable": True,
        "description": 'A number; "< N" for a count below the threshold; "x" for a value hidden so that it '
        "cannot reveal one.",
    }
)
class CellField(serializers.JSONField):
    pass


def _cells():
    return serializers.DictField(child=CellField())


TABLE = inline_serializer(
    "ProgressTable",
    {
        "key": serializers.CharField(),
        "title": serializers.CharField(),
        "columns": inline_serializer(
            "ProgressColumn", {"key": serializers.CharField(), "label": serializers.CharField()}, many=True
        ),
        "rows": inline_serializer(
            "ProgressRow",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "cells": _cells(),
                "total": CellField(),
            },
            many=True,
        ),
        "totals": serializers.DictField(child=CellField(), allow_null=True),
        "grand_total": CellField(),
    },
)

PROGRESS = inline_serializer(
    "Progress",
    {
        "projects": inline_serializer(
            "ProgressProject", {"slug": serializers.CharField(), "name": serializers.CharField()}, many=True
        ),
        "made_at": serializers.DateTimeField(),
        "exact": serializers.BooleanField(help_text="False: aggregates only, small groups hidden"),
        "suppressed_below": serializers.IntegerField(allow_null=True),
        "total": CellField(),
        "connected": CellField(),
        "forecast": inline_serializer(
            "ProgressForecast",
            {
                "connections_per_week": serializers.FloatField(),
                "remaining": CellField(),
                "last_connection_on": serializers.DateField(allow_null=True),
            },
        ),
        "thresholds": inline_serializer(
            "ProgressThreshold",
            {
                "project": serializers.CharField(),
                "dwellings": CellField(),
                "agreed": CellField(),
                "share": CellField(),
                "threshold": serializers.IntegerField(),
                "reached": serializers.BooleanField(allow_null=True),
                "expected_on": serializers.DateField(allow_null=True),
                "target_date": serializers.DateField(allow_null=True),
            },
            many=True,
        ),
        "lead_times": inline_serializer(
            "ProgressLeadTime",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "dwellings": CellField(),
                "median_days": CellField(),
                "p80_days": CellField(),
            },
            many=True,
        ),
        "visits": _cells(),
        "declined": CellField(),
        "questions": _cells(),
        "tables": serializers.ListField(child=TABLE),
        "costs": inline_serializer(
            "ProgressCosts",
            {
                "project": serializers.CharField(),
                "budget": serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
                "estimate": serializers.DecimalField(max_digits=14, decimal_places=2),
                "actual": serializers.DecimalField(max_digits=14, decimal_places=2),
                "estimate_of_done": serializers.DecimalField(max_digits=14, decimal_places=2),
            },
            many=True,
            required=False,
            help_text="Only for the lead party and the heat company.",
        ),
    },
)


NOT_FOUND = OpenApiResponse(description="Not a project or scope of yours.")


class ProjectProgressView(APIView):
    """The progress figures of one project you take part in (404 otherwise)."""

    @extend_schema(responses={200: PROGRESS, 404: NOT_FOUND}, operation_id="progress_project")
    def get(self, request, slug):
        projects, viewer = scopes.project_scope(request.user, slug)
        return Response(board_data(dashboard(projects, viewer)))


class ScopeProgressView(APIView):
    """The progress figures of all projects of your municipality (``municipality``) or of your
    programme as lead party or heat company (``programme``); 404 when you have none."""

    @extend_schema(
        responses={200: PROGRESS, 404: NOT_FOUND},
        operation_id="progress_scope",
        parameters=[
            OpenApiParameter(
                "scope", str, OpenApiParameter.PATH, enum=sorted(scopes.SCOPES), description="Which projects"
            )
        ],
    )
    def get(self, request, scope):
        if scope not in scopes.SCOPES:
            raise Http404
        projects, viewer = scopes.SCOPES[scope](request.user)
        return Response(board_data(dashboard(projects, viewer)))
