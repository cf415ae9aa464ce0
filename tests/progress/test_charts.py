"""The dashboards' charts (progress/charts.py): well-formed SVG named for assistive technology, values as
text in the active language, user labels escaped, suppressed cells never drawn as a number, and the same
markup in a WeasyPrint PDF. No database."""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from progress import charts
from progress.cells import Suppressed

NS = "{http://www.w3.org/2000/svg}"
HIDDEN = Suppressed(10)
MONDAY = datetime.date(2025, 1, 6)
SERIES = [
    ("surveyed", "Surveyed"),
    ("agreed", "Agreed"),
    ("installed", "Installed"),
    ("connected", "Connected"),
]


def weeks(count):
    return [
        (f"week {i + 1}", {"surveyed": 10 + i, "agreed": 5 + i % 4, "installed": i % 3, "connected": i % 2})
        for i in range(count)
    ]


def cumulative():
    values = [HIDDEN, 12, 30, None, 55, 90]
    return [(MONDAY + datetime.timedelta(weeks=i), value) for i, value in enumerate(values)]


# One of each chart, with its id; by name.
def draw(name, id="chart"):
    common = {"id": id, "title": "A title", "description": "What the figures say"}
    if name == "bars":
        return charts.bars([("Informed", 120), ("Surveyed", 60), ("Agreed", HIDDEN)], unit="homes", **common)
    if name == "columns":
        return charts.columns(weeks(6), SERIES, **common)
    if name == "stacked":
        return charts.columns(weeks(6), SERIES, stacked=True, **common)
    if name == "line":
        return charts.line(
            cumulative(), forecast=(datetime.date(2025, 9, 1), 400), target=("Dwellings", 400), **common
        )
    if name == "progress":
        return charts.progress(812, 1200, threshold=70, id=id, title="A title")
    if name == "tiles":
        return charts.tiles([("North", 120, 85), ("South", HIDDEN, HIDDEN), ("East", 40, None)], **common)
    raise AssertionError(name)


ALL = ["bars", "columns", "stacked", "line", "progress", "tiles"]


def parse(svg):
    return ET.fromstring(str(svg))


def texts(root):
    """The text drawn, element by element (a <title> is not drawn)."""
    return ["".join(element.itertext()) for element in root.iter(f"{NS}text")]


def filled(root, fill=charts.SERIES_STYLES[0][0]):
    """The rectangles of one fill that the chart draws as figures (not its legend's swatches)."""
    legend = {
        id(element)
        for group in root.iter(f"{NS}g")
        if group.get("class") == "legend"
        for element in group.iter()
    }
    return [
        element
        for element in root.iter(f"{NS}rect")
        if element.get("fill") == fill and id(element) not in legend
    ]


def tooltips(root):
    return [element.text for element in root.iter(f"{NS}title")]


@pytest.mark.parametrize("name", ALL)
def test_every_chart_is_well_formed_svg_named_by_its_title_and_description(name):
    svg = draw(name, id="funnel-7")
    assert isinstance(svg, SafeString)
    root = parse(svg)

    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 640 \d+", root.get("viewBox"))
    assert root.get("font-family") == "sans-serif"
    assert root.get("aria-labelledby") == "funnel-7-title funnel-7-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{NS}title", "funnel-7-title", "A title")
    assert (desc.tag, desc.get("id")) == (f"{NS}desc", "funnel-7-desc")
    assert desc.text
    # Every text names its size and is dark.
    assert all(
        element.get("font-size") and element.get("fill") == "#1b1b1b" for element in root.iter(f"{NS}text")
    )


@pytest.mark.parametrize("name", ALL)
def test_a_chart_refers_to_nothing_outside_itself(name):
    svg = str(draw(name, id="c1"))
    root = parse(svg)
    assert not [key for element in root.iter() for key in element.attrib if key.endswith("href")]
    assert not [
        element.tag
        for element in root.iter()
        if element.tag[len(NS) :] in ("script", "image", "style", "foreignObject")
    ]
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # Every pattern used is defined in the same svg, under the chart's own id.
    defined = {element.get("id") for element in root.iter(f"{NS}pattern")}
    used = set(re.findall(r"url\(#([^)]+)\)", svg))
    assert used <= defined
    assert all(pattern_id.startswith("c1-") for pattern_id in defined)


def test_two_charts_on_one_page_have_their_own_ids():
    one, two = parse(draw("columns", id="one")), parse(draw("columns", id="two"))
    ids = [{element.get("id") for element in root.iter() if element.get("id")} for root in (one, two)]
    assert ids[0] and ids[1]
    assert ids[0].isdisjoint(ids[1])
    # Hatched series are patterns, one per chart.
    assert "one-series-2" in ids[0] and "two-series-2" in ids[1]


def test_the_values_are_written_as_text():
    with translation.override("en"):
        root = parse(
            charts.bars(
                [("Informed", 120), ("Surveyed", 60)],
                id="f",
                title="t",
                description="d",
                unit="homes",
                shares=[100, 50],
            )
        )
    assert texts(root) == ["Informed", "120 homes (100%)", "Surveyed", "60 homes (50%)"]

    with translation.override("en"):
        grouped = texts(parse(draw("columns")))
        stacked = texts(parse(draw("stacked")))
    assert {"10", "5", "0"} <= set(grouped)  # the first week's values above its columns
    assert "15" in stacked  # the first week's total: 10 + 5 + 0 + 0
    assert {"Surveyed", "Agreed", "Installed", "Connected", "week 1"} <= set(grouped)


def test_a_label_from_a_user_is_escaped_everywhere():
    label = "<script>alert(1)</script> & co"
    with translation.override("en"):
        drawn = [
            charts.bars([(label, 3)], id="a", title=label, description=label),
            charts.columns([(label, {"s": 3})], [("s", label)], id="b", title="t", description="d"),
            charts.line([(MONDAY, 3)], id="c", title="t", description="d", target=(label, 5)),
            charts.progress(3, 5, id="d", title=label, threshold_label=label, threshold=50),
            charts.tiles([(label, 3, 50)], id="e", title="t", description="d"),
        ]
    for svg in drawn:
        markup = str(svg)
        assert "<script" not in markup
        assert "&lt;script&gt;" in markup
        root = parse(svg)
        shown = texts(root) + tooltips(root)
        assert any(label in text for text in shown), shown


def test_a_suppressed_cell_shows_its_label_and_no_number():
    with translation.override("en"):
        root = parse(
            charts.bars(
                [("Big street", 250), ("Small street", HIDDEN)],
                id="s",
                title="t",
                description="d",
                shares=[96, HIDDEN],
            )
        )
    assert texts(root) == ["Big street", "250 (96%)", "Small street", "< 10"]
    hatched = [element for element in root.iter(f"{NS}rect") if element.get("fill") == "url(#s-suppressed)"]
    assert len(hatched) == 1
    assert float(hatched[0].get("width")) == charts.SUPPRESSED_LENGTH
    assert hatched[0].get("stroke") == "#1b1b1b"  # outlined
    assert root.find(f".//{NS}pattern[@id='s-suppressed']") is not None

    with translation.override("en"):
        tile = texts(
            parse(charts.tiles([("Hidden court", HIDDEN, HIDDEN)], id="t", title="t", description="d"))
        )
        stack = texts(
            parse(
                charts.columns(
                    [("w1", {"a": 37, "b": HIDDEN})],
                    [("a", "A"), ("b", "B")],
                    id="u",
                    title="t",
                    description="d",
                    stacked=True,
                )
            )
        )
    assert tile[-3:] == ["Hidden court", "< 10", "–"]
    assert "37" not in stack  # a stack with a hidden part writes no total (37 + the hidden part)


def test_nothing_is_drawn_for_none_but_a_dash():
    root = parse(charts.bars([("A", 5), ("B", None)], id="n", title="t", description="d", unit="homes"))
    assert texts(root)[-2:] == ["B", "–"]
    assert len(filled(root)) == 1


def test_bar_lengths_are_proportional():
    root = parse(charts.bars([("a", 300), ("b", 100), ("c", 0)], id="p", title="t", description="d"))
    widths = [float(element.get("width")) for element in filled(root)]
    assert len(widths) == 2  # no bar for 0
    assert widths[0] / widths[1] == pytest.approx(3, rel=0.01)

    root = parse(
        charts.columns(
            [("w1", {"a": 40}), ("w2", {"a": 10})], [("a", "A")], id="q", title="t", description="d"
        )
    )
    heights = [float(element.get("height")) for element in filled(root)]
    assert len(heights) == 2
    assert heights[0] / heights[1] == pytest.approx(4, rel=0.01)


def test_numbers_follow_the_active_language():
    rows = [("Informed", 12345), ("Visits per home", 1.25)]
    with translation.override("nl"):
        dutch = texts(parse(charts.bars(rows, id="l", title="t", description="d", shares=[99.5, None])))
        dutch_date = texts(
            parse(charts.line([(datetime.date(2025, 3, 3), 5)], id="m", title="t", description="d"))
        )
    with translation.override("en"):
        english = texts(parse(charts.bars(rows, id="l", title="t", description="d", shares=[99.5, None])))
        english_date = texts(
            parse(charts.line([(datetime.date(2025, 3, 3), 5)], id="m", title="t", description="d"))
        )
    assert dutch[1] == "12.345 (99,5%)" and english[1] == "12,345 (99.5%)"
    assert dutch[3] == "1,2" and english[3] == "1.2"  # one decimal by default (1.25 rounds to even)
    assert "3 maart 2025" in dutch_date and "March 3, 2025" in english_date


@pytest.mark.parametrize(
    "chart",
    [
        lambda: charts.bars([], id="e", title="Funnel", description="Dwellings per state"),
        lambda: charts.columns([], SERIES, id="e", title="Funnel", description="Dwellings per state"),
        lambda: charts.columns(weeks(3), [], id="e", title="Funnel", description="Dwellings per state"),
        lambda: charts.line([], id="e", title="Funnel", description="Dwellings per state", target=("x", 5)),
        lambda: charts.tiles([], id="e", title="Funnel", description="Dwellings per state"),
    ],
)
def test_empty_input_gives_a_short_no_data_chart(chart):
    with translation.override("en"):
        root = parse(chart())
    assert texts(root) == ["No data"]
    assert root.get("aria-labelledby") == "e-title e-desc"
    assert root.find(f"{NS}title").text == "Funnel"
    assert int(root.get("viewBox").split()[3]) <= 60


def test_extremes_zero_one_huge_value_and_a_long_label():
    long_label = "Burgemeester van Walsum-Quispelstraat en omgeving, tweede fase (noordelijk deel)"
    root = parse(
        charts.bars([(long_label, 1_000_000), ("tiny", 1), ("zero", 0)], id="x", title="t", description="d")
    )
    shown = texts(root)
    assert shown[0].endswith("…") and len(shown[0]) < len(long_label)
    assert long_label in tooltips(root)  # kept whole in the title of its element
    assert "1,000,000" in shown[1] or "1.000.000" in shown[1]
    # Everything drawn stays inside the viewBox.
    for element in root.iter(f"{NS}rect"):
        assert float(element.get("x", 0)) + float(element.get("width")) <= 640
    for element in root.iter(f"{NS}text"):
        assert 0 <= float(element.get("x")) <= 640

    # Only zeros: no bars, an axis from 0, the zeros written.
    zeros = parse(
        charts.columns([("w1", {"a": 0}), ("w2", {"a": 0})], [("a", "A")], id="z", title="t", description="d")
    )
    assert filled(zeros) == []
    assert texts(zeros).count("0") >= 3  # the axis' 0 and both columns
    assert parse(charts.progress(0, 0, id="y", title="t")) is not None


def test_many_periods_thin_their_labels_and_one_period_works():
    root = parse(charts.columns(weeks(52), SERIES, id="w", title="t", description="d"))
    labels = [text for text in texts(root) if text.startswith("week")]
    assert 4 <= len(labels) < 52
    assert "week 1" in labels

    one = parse(charts.columns(weeks(1), SERIES, id="v", title="t", description="d"))
    assert "week 1" in texts(one)


def test_the_line_has_its_forecast_dashed_and_its_target_labelled():
    with translation.override("en"):
        root = parse(draw("line"))
    shown = texts(root)
    assert "Dwellings: 400" in shown
    assert "Forecast: Sept. 1, 2025" in shown
    assert "90" in shown  # the last known value
    dashed = [element for element in root.iter(f"{NS}line") if element.get("stroke-dasharray")]
    assert len(dashed) == 1
    # A None breaks the line in two; the suppressed first week is a hatched band, not a point.
    assert len(list(root.iter(f"{NS}path"))) - len(list(root.iter(f"{NS}pattern"))) == 2
    assert len(list(root.iter(f"{NS}circle"))) == 4 + 1  # four known points and the forecast's end


def test_the_progress_bar_marks_the_threshold():
    with translation.override("en"):
        root = parse(charts.progress(600, 1200, threshold=70, id="g", title="Sign-ups"))
    assert texts(root) == ["600 of 1,200 (50%)", "Sign-up threshold: 70%"]
    assert root.find(f"{NS}desc").text == "600 of 1,200 (50%). Sign-up threshold: 70%"
    outline, filled = [element for element in root.iter(f"{NS}rect") if element.get("x")]
    assert float(filled.get("width")) / float(outline.get("width")) == pytest.approx(0.5)
    (marker,) = [element for element in root.iter(f"{NS}line") if element.get("stroke-dasharray")]
    x = float(outline.get("x")) + 0.7 * float(outline.get("width"))
    assert float(marker.get("x1")) == pytest.approx(x, abs=0.1)


def test_tiles_are_shaded_by_share_with_a_legend():
    with translation.override("en"):
        root = parse(draw("tiles"))
    shown = texts(root)
    assert shown[0] == "Share connected"
    assert {"0–20%", "80–100%", "Hidden (small group)", "No data"} <= set(shown)
    north = shown.index("North")
    assert shown[north : north + 3] == ["North", "120", "85%"]
    fills = [
        element.get("fill") for element in root.iter(f"{NS}rect") if float(element.get("width", 0)) > 100
    ]
    assert charts.SHADES[4] in fills  # 85% is the darkest fifth


def test_an_id_must_be_fit_for_an_id():
    with pytest.raises(ValueError):
        charts.bars([("a", 1)], id="two words", title="t", description="d")


@pytest.fixture(scope="module")
def pdf():
    weasyprint = pytest.importorskip("weasyprint")
    with translation.override("nl"):
        funnel = charts.bars(
            [("Geïnformeerd", 12345), ("Akkoord", HIDDEN)], id="a", title="t", description="d"
        )
        weekly = charts.columns(weeks(8), SERIES, id="b", title="t", description="d", stacked=True)
    page = (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<style>@page { size: A4 portrait; margin: 15mm }</style></head>"
        f"<body><h1>Voortgang</h1>{funnel}{weekly}</body></html>"
    )
    return weasyprint.HTML(string=page).write_pdf()


def test_the_charts_render_in_a_weasyprint_pdf(pdf):
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 2000


def test_the_pdf_carries_the_values_as_text(pdf):
    pypdf = pytest.importorskip("pypdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "12.345" in text
    assert "< 10" in text
