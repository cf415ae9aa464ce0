"""The dashboards' charts as inline SVG, the same in the page and in the PDF report.

Pure functions: figures in, markup out (a ``SafeString``). No database, no JavaScript, nothing from
elsewhere (no fonts, images or links). Every chart

- scales: a fixed ``viewBox`` with ``width="100%"``, explicit font sizes, ``sans-serif``;
- is dark text (#1b1b1b) on white and writes its values as text, so it reads on paper in black and
  white: series differ in lightness and hatching, never in colour alone;
- is an image to assistive technology (``role="img"``) named by its ``<title>`` and ``<desc>``; the page
  puts the full table beside it;
- takes an ``id`` that prefixes every id inside it (title, desc, patterns): two charts on one page do
  not clash;
- draws a cell as ``progress.cells`` gives it: a number; ``None`` as nothing, with "–"; ``Suppressed``
  as an outlined, hatched bar of a small fixed size with its label ("< 10"), never a number;
- escapes every text it is given (labels come from users: street and cluster names);
- shows empty input as a short "No data" chart, and shortens a long label with an ellipsis, keeping the
  whole label in a ``<title>`` of its element (a tooltip on screen, not drawn in print).

Numbers follow the active language, grouped (``number_format`` with ``force_grouping``): 12.345 in Dutch,
12,345 in English. Percentages are numbers from 0 to 100. Text widths are estimated (there are no font
metrics here), on the generous side.
"""

import math
import re
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from progress.cells import is_suppressed

__all__ = ["bars", "columns", "line", "progress", "tiles"]

WIDTH = 640  # every chart is this wide in its own units; its height follows from its content
PAD = 8
GAP = 6
FONT = 12
SMALL = 10
EM = 0.6  # estimated width of an average sans-serif character, in ems (generous for digits)

INK = "#1b1b1b"
BACKGROUND = "#ffffff"
GRID = "#d0d0d0"
AXIS = "#767676"
HATCH = "#a6a6a6"  # the lines of a suppressed cell: light enough to read text across
LINE = "#1f4e79"

# A series' look: (fill, hatch). Lightness differs from one to the next and the later ones are hatched,
# so series stay apart in grey print. More than six series repeat the looks.
SERIES_STYLES = [
    ("#1f4e79", None),
    ("#a9c9e8", None),
    ("#5b8fc7", "diagonal"),
    ("#ffffff", "cross"),
    ("#e0e0e0", "dots"),
    ("#3d3d3d", "light-diagonal"),
]
# The shades of the tiles, light to medium, one per fifth of the share (0–20%, ..., 80–100%); the
# darkest still keeps dark text above 4.5:1.
SHADES = ["#f4f8fb", "#d4e3f1", "#b2cbe5", "#8fb2d8", "#6b97c8"]

SUPPRESSED_LENGTH = 14  # the nominal length of a suppressed bar (horizontal)
SUPPRESSED_HEIGHT = 6  # ... and of a suppressed column or stack segment (vertical)
DASH = "–"

NO_DATA = _("No data")

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters XML 1.0 does not allow (a label pasted from elsewhere might carry one).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The five charts


def bars(rows, *, id, title, description, unit="", shares=None, decimals=1):
    """Horizontal bars, one per ``(label, value)`` row in the given order: the funnel (count per state)
    and the breakdowns (by street, ownership, dwelling type, installer, ...).

    A ``value`` is a cell; bar lengths are proportional to the largest number. ``unit`` follows each
    value ("12 dwellings"). ``shares``, if given, is a list beside ``rows`` of percentages (a cell each;
    ``None`` or ``Suppressed`` leaves it out) written after the value: "12 (38%)". Non-whole numbers
    show at most ``decimals`` decimals.
    """
    _check_id(id)
    rows = list(rows)
    if not rows:
        return _no_data(id, title, description)
    shares = [None] * len(rows) if shares is None else list(shares)
    if len(shares) != len(rows):
        raise ValueError("bars(): shares must have one entry per row")

    row_height, bar_height, top = 24, 16, PAD
    labels = [_clean(label) for label, _value in rows]
    values = [value for _label, value in rows]
    texts = [_value_text(value, unit, share, decimals) for value, share in zip(values, shares, strict=True)]
    largest = max((float(value) for value in values if _is_number(value)), default=0)

    value_width = max(_width(text, FONT) for text in texts) + 2 * GAP
    label_width = max(40, min(max(_width(label, FONT) for label in labels), WIDTH * 0.35))
    bar_x = PAD + label_width + GAP
    bar_room = max(WIDTH - PAD - value_width - bar_x, 60)

    parts = [_line(bar_x, top - 2, bar_x, top + len(rows) * row_height - 6, stroke=AXIS)]
    for index, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = top + index * row_height
        baseline = _baseline(y + bar_height / 2, FONT)
        parts.append(_text(bar_x - GAP, baseline, label, anchor="end", width=label_width))
        length = 0
        if is_suppressed(value):
            length = SUPPRESSED_LENGTH
            parts.append(_suppressed_rect(id, bar_x, y, length, bar_height, value))
        elif _is_number(value) and largest > 0 and value > 0:
            length = bar_room * float(value) / largest
            parts.append(_rect(bar_x, y, length, bar_height, SERIES_STYLES[0][0]))
        text_x = bar_x + length + GAP
        parts.append(_text(text_x, baseline, text, width=WIDTH - PAD - text_x))

    defs = _defs(id, suppressed=any(is_suppressed(value) for value in values))
    return _svg(id, title, description, top + len(rows) * row_height, parts, defs)


def columns(periods, series, *, id, title, description, stacked=False, decimals=1):
    """Columns per period, grouped or ``stacked``: the weekly throughput (surveyed, agreed, installed,
    connected) or an installer's capacity used per week.

    ``periods`` is a list of ``(label, {series_key: value})`` (a missing key is ``None``), ``series``
    a list of ``(key, label)`` naming the legend's entries in order. A y-axis with a few round ticks; the
    values are written above the columns (the totals above the stacks) where they fit, and the x labels
    thinned to fit: for many periods the axis and the table beside the chart carry the numbers. A stack
    with a suppressed part has no total written.
    """
    _check_id(id)
    periods, series = list(periods), list(series)
    if not periods or not series:
        return _no_data(id, title, description)

    labels = [_clean(label) for label, _values in periods]
    table = [[values.get(key) for key, _label in series] for _label, values in periods]
    cells = [value for row in table for value in row]
    suppressed = next((value for value in cells if is_suppressed(value)), None)

    legend = [(_series_fill(id, index), label) for index, (_key, label) in enumerate(series)]
    if suppressed is not None:
        legend.append((f"url(#{id}-suppressed)", suppressed.label))
    parts, legend_height = _legend(legend, PAD)

    if stacked:
        heights = [sum(max(float(value), 0) for value in row if _is_number(value)) for row in table]
    else:
        heights = [float(value) for value in cells if _is_number(value)]
    whole = all(isinstance(value, int) for value in cells if _is_number(value))
    ticks = _ticks(max(heights, default=0), whole=whole)
    plot_top = PAD + legend_height + SMALL + 6
    plot_height = 200
    bottom = plot_top + plot_height
    scale = plot_height / ticks[-1]
    left = PAD + max(_width(_format(tick), SMALL) for tick in ticks) + GAP
    right = WIDTH - PAD
    parts += _y_axis(ticks, left, right, bottom, scale)

    slot = (right - left) / len(periods)
    inner = slot * 0.8
    for index, row in enumerate(table):
        x = left + index * slot + slot * 0.1
        if stacked:
            parts += _stack(id, x, inner, bottom, scale, row, decimals)
        else:
            width = inner / len(series)
            for position, value in enumerate(row):
                parts += _column(id, x + position * width, width, bottom, scale, value, position, decimals)

    # Every n-th label, n as small as lets the longest fit; kept inside the chart, and left out where
    # that would make it touch the one before.
    every = max(1, math.ceil((max(_width(label, SMALL) for label in labels) + GAP) / slot))
    room = min(slot * every - GAP, WIDTH - 2 * PAD)
    previous_end = 0
    for index, label in enumerate(labels[::every]):
        half = min(_width(label, SMALL), room) / 2
        middle = min(max(left + (index * every + 0.5) * slot, PAD + half), WIDTH - PAD - half)
        if middle - half >= previous_end:
            parts.append(_text(middle, bottom + 14, label, size=SMALL, anchor="middle", width=room))
            previous_end = middle + half + GAP

    defs = _defs(id, series=range(len(series)), suppressed=suppressed is not None)
    return _svg(id, title, description, bottom + 22, parts, defs)


def line(points, *, id, title, description, forecast=None, target=None):
    """A cumulative figure over time (connected dwellings), dates along the x-axis.

    ``points`` is a list of ``(date, value)`` in date order (a value is a cell: a suppressed one is drawn
    as a hatched band from 0 to its threshold, ``None`` breaks the line). ``forecast``, a ``(date,
    value)``, continues the line dashed from its last known point, labelled with its date. ``target``, a
    ``(label, value)`` (the number of dwellings, the threshold), is a grey horizontal line with its label
    and value. The last known value is written beside its point. A forecast or target without a number
    is left out.
    """
    _check_id(id)
    points = list(points)
    if not points:
        return _no_data(id, title, description)
    if forecast is not None and not _is_number(forecast[1]):
        forecast = None
    if target is not None and not _is_number(target[1]):
        target = None

    known = [(day, float(value)) for day, value in points if _is_number(value)]
    heights = [value for _day, value in known]
    heights += [float(value.below) for _day, value in points if is_suppressed(value)]
    if forecast is not None:
        heights.append(float(forecast[1]))
    if target is not None:
        heights.append(float(target[1]))
    ticks = _ticks(max(heights, default=0), whole=True)

    last = next((value for _day, value in reversed(points) if _is_number(value)), None)
    last_text = _format(last) if last is not None else ""
    plot_top = PAD + FONT + 8
    plot_height = 200
    bottom = plot_top + plot_height
    scale = plot_height / ticks[-1]
    left = PAD + max(_width(_format(tick), SMALL) for tick in ticks) + GAP
    right = WIDTH - PAD - (0 if forecast else _width(last_text, FONT) + GAP)
    parts = _y_axis(ticks, left, right, bottom, scale)

    first_day = points[0][0].toordinal()
    last_day = max(points[-1][0].toordinal(), forecast[0].toordinal() if forecast else 0)
    span = last_day - first_day

    def x_of(day):
        if span <= 0:
            return (left + right) / 2
        return left + (right - left) * (day.toordinal() - first_day) / span

    def y_of(value):
        return bottom - max(float(value), 0) * scale

    if target is not None:
        label, value = target
        y = y_of(value)
        parts.append(_line(left, y, right, y, stroke=AXIS, width=1.5))
        text = f"{_clean(label)}: {_format(value)}"
        parts.append(_text(left + 4, y - 4, text, width=right - left - 8))

    for day, value in points:
        if is_suppressed(value):
            # The value lies between 0 and the threshold: a band over that range, at least visible.
            height = max(value.below * scale, SUPPRESSED_HEIGHT)
            parts.append(_suppressed_rect(id, x_of(day) - 3, bottom - height, 6, height, value))
    segments, segment = [], []
    for day, value in points:
        if _is_number(value):
            segment.append((x_of(day), y_of(value)))
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)
    for segment in segments:
        path = " ".join(f"{'M' if i == 0 else 'L'}{_px(x)} {_px(y)}" for i, (x, y) in enumerate(segment))
        parts.append(format_html('<path d="{}" fill="none" stroke="{}" stroke-width="2"/>', path, LINE))
    if len(known) <= 60:
        for day, value in known:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}"/>', _px(x_of(day)), _px(y_of(value)), LINE
                )
            )

    if known:
        day, value = known[-1]
        x, y = x_of(day), y_of(value)
        if forecast is not None:
            end_x, end_y = x_of(forecast[0]), y_of(forecast[1])
            parts.append(_line(x, y, end_x, end_y, stroke=LINE, width=2, dash="6 4"))
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}" stroke="{}"/>',
                    _px(end_x),
                    _px(end_y),
                    BACKGROUND,
                    LINE,
                )
            )
            text = _("Forecast: %(date)s") % {"date": date_format(forecast[0], "DATE_FORMAT")}
            parts.append(_text(end_x, max(end_y - 8, FONT), text, anchor="end"))
            # Below and right of the last point: the line came from the left, the forecast goes up.
            parts.append(_text(x + GAP, min(y + FONT + 4, bottom - 4), last_text))
        else:
            parts.append(_text(x + GAP, _baseline(y, FONT), last_text))

    # Up to five dates along the axis; the first and the last keep inside the chart.
    days = sorted({round(first_day + span * step / 4) for step in range(5)}) if span > 0 else [first_day]
    for day in map(date.fromordinal, days):
        x = x_of(day)
        anchor = "middle"
        if len(days) > 1 and day.toordinal() == days[0]:
            anchor = "start"
        elif len(days) > 1 and day.toordinal() == days[-1]:
            anchor = "end"
        parts.append(_line(x, bottom, x, bottom + 4, stroke=AXIS))
        parts.append(_text(x, bottom + 16, date_format(day, "DATE_FORMAT"), size=SMALL, anchor=anchor))

    defs = _defs(id, suppressed=any(is_suppressed(value) for _day, value in points))
    return _svg(id, title, description, bottom + 24, parts, defs)


def progress(value, total, *, threshold=None, id, title, description=None, threshold_label=None):
    """One bar: how far ``value`` is of ``total`` ("1.234 of 2.000 (62%)"), with ``threshold`` (a
    percentage) marked by a dashed line and labelled (``threshold_label``, by default "Sign-up
    threshold"). ``value`` is a cell; a ``total`` that is not a positive number draws no share. The
    description says the same in words unless ``description`` is given.
    """
    _check_id(id)
    threshold_label = _("Sign-up threshold") if threshold_label is None else threshold_label
    share = None
    if _is_number(value) and _is_number(total) and total > 0:
        share = 100 * float(value) / float(total)
    text = _("%(value)s of %(total)s") % {"value": _format(value), "total": _format(total)}
    if share is not None:
        text = f"{text} ({_percent(share)})"
    threshold_text = f"{_clean(threshold_label)}: {_percent(threshold)}" if threshold is not None else ""
    if description is None:
        description = f"{text}. {threshold_text}".strip()

    bar_x, bar_y, bar_width, bar_height = PAD, PAD + FONT + 6, WIDTH - 2 * PAD, 18
    parts = [_text(bar_x, PAD + FONT, text, width=bar_width)]
    parts.append(_rect(bar_x, bar_y, bar_width, bar_height, BACKGROUND, stroke_width=1))
    if is_suppressed(value):
        parts.append(_suppressed_rect(id, bar_x, bar_y, SUPPRESSED_LENGTH, bar_height, value))
    elif share:
        parts.append(_rect(bar_x, bar_y, bar_width * min(share, 100) / 100, bar_height, SERIES_STYLES[0][0]))
    height = bar_y + bar_height + PAD
    if threshold is not None:
        x = bar_x + bar_width * min(max(float(threshold), 0), 100) / 100
        parts.append(_line(x, bar_y - 4, x, bar_y + bar_height + 4, stroke=INK, width=2, dash="4 2"))
        anchor = "end" if x > WIDTH * 0.75 else ("start" if x < WIDTH * 0.25 else "middle")
        parts.append(_text(x, bar_y + bar_height + 4 + FONT, threshold_text, anchor=anchor))
        height += FONT + 4
    return _svg(id, title, description, height, parts, _defs(id, suppressed=is_suppressed(value)))


def tiles(cells, *, id, title, description, unit="", legend_title=None):
    """A simple map of the clusters: a grid of tiles in the given order, each with its name, count and
    share connected, shaded by the share in fifths, with a legend (``legend_title``, by default "Share
    connected").

    ``cells`` is a list of ``(label, count, percent)``, each value a cell. A suppressed count or share
    gives a neutral hatched tile showing "< 10"; no share (``None``) a white tile with a dashed edge.
    """
    _check_id(id)
    cells = list(cells)
    if not cells:
        return _no_data(id, title, description)
    legend_title = _("Share connected") if legend_title is None else legend_title

    legend = [
        (shade, f"{_format(step * 20)}–{_percent((step + 1) * 20)}") for step, shade in enumerate(SHADES)
    ]
    suppressed = any(is_suppressed(count) or is_suppressed(percent) for _label, count, percent in cells)
    empty = any(percent is None and not is_suppressed(count) for _label, count, percent in cells)
    if suppressed:
        legend.append((f"url(#{id}-suppressed)", _("Hidden (small group)")))
    if empty:
        legend.append((BACKGROUND, NO_DATA))
    parts = [_text(PAD, PAD + FONT, legend_title, weight="bold", width=WIDTH - 2 * PAD)]
    legend_parts, legend_height = _legend(legend, PAD + FONT + 6)
    parts += legend_parts

    per_row = min(4, len(cells))
    tile_width = (WIDTH - 2 * PAD - (per_row - 1) * GAP) / per_row
    tile_height = 60
    top = PAD + FONT + 6 + legend_height + GAP
    for index, (label, count, percent) in enumerate(cells):
        x = PAD + (index % per_row) * (tile_width + GAP)
        y = top + (index // per_row) * (tile_height + GAP)
        if is_suppressed(count) or is_suppressed(percent):
            parts.append(_rect(x, y, tile_width, tile_height, f"url(#{id}-suppressed)", stroke_width=1))
        elif percent is None:
            parts.append(_rect(x, y, tile_width, tile_height, BACKGROUND, stroke_width=1, dash="4 3"))
        else:
            parts.append(_rect(x, y, tile_width, tile_height, _shade(percent), stroke_width=1))
        count_text = _format(count) + (f" {_clean(unit)}" if unit else "")
        hidden = is_suppressed(count) or not _is_number(percent)
        share_text = DASH if hidden else _percent(percent)
        inner = tile_width - 2 * GAP
        parts.append(_text(x + GAP, y + 18, label, weight="bold", width=inner))
        parts.append(_text(x + GAP, y + 35, count_text, width=inner))
        parts.append(_text(x + GAP, y + 51, share_text, width=inner))

    rows = math.ceil(len(cells) / per_row)
    return _svg(
        id,
        title,
        description,
        top + rows * (tile_height + GAP) + PAD - GAP,
        parts,
        _defs(id, suppressed=suppressed),
    )


# Pieces of a chart


def _svg(id, title, description, height, parts, defs=""):
    """The chart's frame: viewBox, role and names, definitions, a white ground, then ``parts``."""
    height = math.ceil(height)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="{font}" class="chart">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>{defs}'
        '<rect width="{width}" height="{height}" fill="{background}"/>{body}</svg>',
        width=WIDTH,
        height=height,
        id=id,
        font=FONT,
        title=escape(_clean(title)),
        description=escape(_clean(description)),
        defs=defs,
        background=BACKGROUND,
        body=_join(parts),
    )


def _no_data(id, title, description):
    return _svg(id, title, description, 40, [_text(WIDTH / 2, 25, NO_DATA, anchor="middle")])


def _defs(id, *, series=(), suppressed=False):
    """The patterns a chart uses, their ids prefixed with the chart's."""
    patterns = []
    for index in series:
        fill, hatch = SERIES_STYLES[index % len(SERIES_STYLES)]
        if hatch:
            patterns.append(_pattern(f"{id}-series-{index % len(SERIES_STYLES)}", fill, hatch))
    if suppressed:
        patterns.append(_pattern(f"{id}-suppressed", BACKGROUND, "suppressed"))
    if not patterns:
        return ""
    return format_html("<defs>{}</defs>", _join(dict.fromkeys(patterns)))


def _pattern(pattern_id, fill, hatch):
    marks = {
        "diagonal": format_html('<path d="M3 0V6" stroke="{}" stroke-width="1.5"/>', INK),
        "light-diagonal": format_html('<path d="M3 0V6" stroke="{}" stroke-width="1.5"/>', BACKGROUND),
        "cross": format_html('<path d="M3 0V6M0 3H6" stroke="{}" stroke-width="1"/>', INK),
        "dots": format_html('<circle cx="3" cy="3" r="1.2" fill="{}"/>', INK),
        "suppressed": format_html('<path d="M3 0V6" stroke="{}" stroke-width="1"/>', HATCH),
    }[hatch]
    return format_html(
        '<pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="{}"/>{}</pattern>',
        pattern_id,
        fill,
        marks,
    )


def _series_fill(id, index):
    fill, hatch = SERIES_STYLES[index % len(SERIES_STYLES)]
    return f"url(#{id}-series-{index % len(SERIES_STYLES)})" if hatch else fill


def _legend(items, top):
    """Swatches with their labels, ``(fill, label)`` each, in rows across the width: ([the legend's
    group], its height)."""
    parts, x, y = [], PAD, top
    for fill, label in items:
        label = _clean(label)
        advance = 16 + min(_width(label, FONT), 200) + 16
        if x > PAD and x + advance > WIDTH - PAD:
            x, y = PAD, y + FONT + 8
        parts.append(_rect(x, y, 12, 12, fill, stroke_width=0.75))
        parts.append(_text(x + 16, y + 11, label, width=200))
        x += advance
    return [format_html('<g class="legend">{}</g>', _join(parts))], y - top + FONT + 6


def _y_axis(ticks, left, right, bottom, scale):
    parts = []
    for tick in ticks:
        y = bottom - tick * scale
        parts.append(_line(left, y, right, y, stroke=AXIS if tick == 0 else GRID))
        parts.append(_text(left - 4, _baseline(y, SMALL), _format(tick), size=SMALL, anchor="end"))
    return parts


def _column(id, x, width, bottom, scale, value, position, decimals):
    parts, top = [], bottom
    if is_suppressed(value):
        top = bottom - SUPPRESSED_HEIGHT
        parts.append(_suppressed_rect(id, x, top, width, SUPPRESSED_HEIGHT, value))
    elif _is_number(value):
        top = bottom - max(float(value), 0) * scale
        if top < bottom:
            parts.append(_rect(x, top, width, bottom - top, _series_fill(id, position)))
    text = _format(value, decimals)
    if _width(text, SMALL) <= width + 2:
        parts.append(_text(x + width / 2, top - 3, text, size=SMALL, anchor="middle"))
    return parts


def _stack(id, x, width, bottom, scale, row, decimals):
    parts, top = [], bottom
    for position, value in enumerate(row):
        if is_suppressed(value):
            top -= SUPPRESSED_HEIGHT
            parts.append(_suppressed_rect(id, x, top, width, SUPPRESSED_HEIGHT, value))
        elif _is_number(value) and value > 0:
            height = float(value) * scale
            top -= height
            parts.append(_rect(x, top, width, height, _series_fill(id, position)))
    if any(is_suppressed(value) for value in row):
        return parts
    numbers = [value for value in row if _is_number(value)]
    text = _format(sum(numbers), decimals) if numbers else DASH
    if _width(text, SMALL) <= width + 2:
        parts.append(_text(x + width / 2, top - 3, text, size=SMALL, anchor="middle"))
    return parts


def _suppressed_rect(id, x, y, width, height, value):
    """An outlined, hatched rectangle of a nominal size, with what it means as its tooltip."""
    return format_html(
        "<g><title>{}</title>{}</g>",
        escape(value.explanation),
        _rect(x, y, width, height, f"url(#{id}-suppressed)", stroke_width=1),
    )


def _rect(x, y, width, height, fill, *, stroke_width=0.5, dash=None):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="{}"{}/>',
        _px(x),
        _px(y),
        _px(width),
        _px(height),
        fill,
        INK,
        stroke_width,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _line(x1, y1, x2, y2, *, stroke, width=1, dash=None):
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
        _px(x1),
        _px(y1),
        _px(x2),
        _px(y2),
        stroke,
        width,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _text(x, y, text, *, size=FONT, anchor="start", weight="normal", width=None):
    """A ``<text>`` at its baseline. Given a ``width``, a text too long for it is shortened with an
    ellipsis and its whole is kept in a ``<title>`` of a group around it."""
    text = _clean(text)
    shown = _fit(text, width, size * (1.1 if weight == "bold" else 1)) if width is not None else text
    element = format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" font-weight="{}" fill="{}">{}</text>',
        _px(x),
        _px(y),
        size,
        anchor,
        weight,
        INK,
        escape(shown),
    )
    if shown != text:
        return format_html("<g><title>{}</title>{}</g>", escape(text), element)
    return element


# Numbers, text and sizes


def _is_number(value):
    return value is not None and not is_suppressed(value)


def _format(value, decimals=1):
    """A cell as text: "–", "< 10", or the number in the active language (grouped; a non-whole number
    with at most ``decimals`` decimals)."""
    if value is None:
        return DASH
    if is_suppressed(value):
        return value.label
    if not isinstance(value, int):
        value = round(value, decimals)
        if value == int(value):
            value = int(value)
    return number_format(value, decimal_pos=None if isinstance(value, int) else decimals, force_grouping=True)


def _percent(value):
    return f"{_format(value)}%"


def _value_text(value, unit, share, decimals):
    text = _format(value, decimals)
    if unit and value is not None:
        text = f"{text} {_clean(unit)}"
    if _is_number(share):
        text = f"{text} ({_percent(share)})"
    return text


def _shade(percent):
    return SHADES[min(max(int(float(percent) // 20), 0), len(SHADES) - 1)]


def _ticks(largest, *, whole):
    """A few round ticks from 0 to at least ``largest`` (steps of 1, 2 or 5 times a power of ten)."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if rough <= factor * magnitude)
    if whole:
        step = max(1, round(step))
    count = math.ceil(largest / step - 1e-9)
    return [round(index * step, 10) if not whole else index * step for index in range(count + 1)]


def _clean(value):
    """Any text as a plain ``str`` without the characters XML forbids (escaping comes later)."""
    return _NOT_XML.sub("", str(value))


def _fit(text, width, size):
    most = max(int(width / (size * EM)), 1)
    if len(text) <= most:
        return text
    return text[: max(most - 1, 1)].rstrip() + "…"


def _width(text, size):
    return len(text) * size * EM


def _baseline(middle, size):
    """The baseline that centres a line of text of ``size`` on ``middle`` (no dominant-baseline:
    WeasyPrint does not follow it)."""
    return middle + size * 0.35


def _px(value):
    return f"{float(value) + 0:.1f}".removesuffix(".0")


def _join(parts) -> SafeString:
    # Every part was built by format_html (or escaped), so joining them keeps them safe.
    return mark_safe("".join(parts))


def _check_id(id):
    if not isinstance(id, str) or not _ID.fullmatch(id):
        raise ValueError(f"A chart's id starts with a letter and holds letters, digits, - and _: {id!r}")
