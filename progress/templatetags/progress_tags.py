"""Showing a figure's cells: a hidden count as "< 10" with why, nothing as "–", numbers in the page's
language."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from progress.cells import Suppressed

register = template.Library()


@register.filter
def cell(value, suffix=""):
    if isinstance(value, Suppressed):
        return format_html('<span class="suppressed" title="{}">{}</span>', value.explanation, str(value))
    if value is None or value == "":
        return "–"
    if isinstance(value, (int, float)):
        return f"{number_format(value, force_grouping=True)}{suffix}"
    return f"{value}{suffix}"


@register.filter
def percent(value):
    return cell(value, "%")


@register.filter
def hidden(value) -> bool:
    return isinstance(value, Suppressed)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")
