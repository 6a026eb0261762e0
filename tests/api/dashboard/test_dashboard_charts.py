"""The dashboard's SVG charts: well-formed, named and described, the values drawn and written, and
nothing told by colour alone."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from api.dashboard import charts

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {
    "R": "Praktisch",
    "I": "Forschend",
    "A": "Kreativ",
    "S": "Sozial",
    "E": "Unternehmerisch",
    "C": "Ordnend",
}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def accessible_name(root: ET.Element) -> tuple[str, str]:
    ids = root.attrib["aria-labelledby"].split()
    texts = {element.attrib.get("id"): element.text or "" for element in root.iter()}
    return texts[ids[0]], texts[ids[1]]


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_profile_chart_is_named_described_and_draws_every_type() -> None:
    points = [
        charts.ProfilePoint("2026-09", "Sep 26", {"R": 50, "I": 40, "A": 30, "S": 60, "E": 45, "C": 35}),
        charts.ProfilePoint("2026-10", "Okt 26", dict.fromkeys("RIASEC")),  # suppressed month
        charts.ProfilePoint("2026-11", "Nov 26", {"R": 52, "I": 41, "A": 33, "S": 66, "E": 44, "C": 36}),
    ]
    markup = charts.profile_chart(points, NAMES, title="Profil <Test>", summary="Sozial steigt & bleibt vorn")
    root = parse(markup)
    assert root.attrib["role"] == "img"
    assert accessible_name(root) == (
        "Profil <Test>",
        "Sozial steigt & bleibt vorn",
    )  # escaped, then read back
    series = root.findall(f".//{SVG}g[@class='series']")
    assert [g.attrib["data-type"] for g in series] == list("RIASEC")
    # a suppressed month breaks the line: two single points per type, so no polyline, but markers
    assert not root.findall(f".//{SVG}polyline")
    assert all(len(list(g)) == 2 for g in series)
    # end labels: letter, name and the last value
    assert "S Sozial 66" in texts(root) and "A Kreativ 33" in texts(root)
    assert "Sep 26" in texts(root) and "Nov 26" in texts(root)


def test_profile_lines_differ_by_dash_and_marker_not_only_colour() -> None:
    points = [
        charts.ProfilePoint(f"2026-0{m}", f"M{m}", dict.fromkeys("RIASEC", 10.0 * m)) for m in range(1, 4)
    ]
    root = parse(charts.profile_chart(points, NAMES, title="t", summary="s"))
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 6
    dashes = {line.attrib.get("stroke-dasharray", "solid") for line in lines}
    assert len(dashes) == 6
    markers = set()
    for group in root.findall(f".//{SVG}g[@class='series']"):
        first = next(child for child in group if child.tag != f"{SVG}polyline")
        markers.add((first.tag, first.attrib.get("fill") == "#ffffff", first.attrib.get("points", "")[:0]))
    assert len({tag for tag, _, _ in markers}) == 3  # circle, rect, polygon (and an open circle)


def test_end_labels_never_overlap() -> None:
    same = {"R": 50, "I": 50, "A": 50, "S": 50, "E": 50, "C": 50}
    root = parse(
        charts.profile_chart([charts.ProfilePoint("2026-01", "Jan", same)], NAMES, title="t", summary="s")
    )
    ys = sorted(
        float(t.attrib["y"])
        for t in root.iter(f"{SVG}text")
        if t.text and t.text[:2] in {f"{c} " for c in "RIASEC"}
    )
    assert len(ys) == 6
    assert all(b - a >= 18 for a, b in itertools.pairwise(ys))


def test_fields_chart_writes_the_values_and_marks_suppressed_cells() -> None:
    rows = [
        charts.FieldBar("2", "Produktion und Fertigung", 1234, 2808),
        charts.FieldBar("8", "Gesundheit", None, 329),
    ]
    root = parse(
        charts.fields_chart(
            rows,
            title="Felder",
            summary="Zusammenfassung",
            interested_label="Interessierte",
            places_label="Plätze",
            suppressed_label="– (unter 10)",
            language="de",
        )
    )
    assert accessible_name(root) == ("Felder", "Zusammenfassung")
    words = texts(root)
    assert "1.234" in words and "2.808" in words and "329" in words
    assert "– (unter 10)" in words
    assert "Interessierte" in words and "Plätze" in words  # legend
    bars = root.findall(f".//{SVG}g[@class='field-row']/{SVG}rect")
    assert len(bars) == 3
    widths = [float(bar.attrib["width"]) for bar in bars]
    assert widths[1] == max(widths)  # 2808 is the longest bar
    assert abs(widths[0] / widths[1] - 1234 / 2808) < 0.01
    fills = {bar.attrib["fill"] for bar in bars}
    assert any(fill.startswith("url(#") for fill in fills)  # places are hatched, not just another colour


def test_map_chart_places_sizes_and_classes() -> None:
    points = [
        charts.MapPoint("osnabrueck", "Osnabrück", 52.27, 8.05, 400, 1000, 0.5),
        charts.MapPoint("quakenbrueck", "Quakenbrück", 52.68, 7.95, 100, 200, 2.0),
        charts.MapPoint("melle", "Melle", 52.20, 8.34, None, 50, None),
    ]

    def classify(value: float | None) -> str:
        if value is None:
            return "unknown"
        return "more_interest" if value < 0.67 else "more_places" if value > 1.5 else "balanced"

    labels = {key: f"Klasse {key}" for key, _, _ in charts.RATIO_CLASSES}
    root = parse(
        charts.map_chart(
            points,
            title="Karte",
            summary="3 Orte",
            class_labels=labels,
            size_label="Größe",
            classify=classify,
        )
    )
    assert accessible_name(root) == ("Karte", "3 Orte")
    places = {g.attrib["data-slug"]: g for g in root.findall(f".//{SVG}g[@class='place']")}
    assert set(places) == {"osnabrueck", "quakenbrueck", "melle"}
    assert places["osnabrueck"].attrib["data-class"] == "more_interest"
    assert places["quakenbrueck"].attrib["data-class"] == "more_places"
    assert places["melle"].attrib["data-class"] == "unknown"

    def circle(slug: str) -> ET.Element:
        found = places[slug].find(f"{SVG}circle")
        assert found is not None
        return found

    # area grows with the count: radius with its square root
    ratio = float(circle("osnabrueck").attrib["r"]) / float(circle("quakenbrueck").attrib["r"])
    assert abs(ratio - 2.0) < 0.01
    # north up: Quakenbrück (further north) is drawn higher than Osnabrück; Melle east of it
    assert float(circle("quakenbrueck").attrib["cy"]) < float(circle("osnabrueck").attrib["cy"])
    assert float(circle("melle").attrib["cx"]) > float(circle("osnabrueck").attrib["cx"])
    # every class has its symbol inside the circle and in the legend, with its words
    symbols = {places[slug].find(f"{SVG}text").text for slug in places}  # type: ignore[union-attr]
    assert symbols == {"+", "−", "?"}
    assert all(f"Klasse {key}" in texts(root) for key, _, _ in charts.RATIO_CLASSES)


def test_numbers_in_both_languages() -> None:
    assert charts.format_number(1234567.891, "de", 1) == "1.234.567,9"
    assert charts.format_number(1234567.891, "en", 1) == "1,234,567.9"
    assert charts.format_number(None, "de") == "–"


def test_the_profile_axis_fits_the_values_and_says_where_it_starts() -> None:
    flat = [charts.ProfilePoint("2026-01", "Jan", dict.fromkeys("RIASEC", 50.0))]
    assert charts.value_range(flat) == (30, 60)
    spread = [charts.ProfilePoint("2026-01", "Jan", {"R": 3, "I": 97, "A": 50, "S": 50, "E": 50, "C": 50})]
    assert charts.value_range(spread) == (0, 100)
    root = parse(charts.profile_chart(flat, NAMES, title="t", summary="s"))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.isdigit()]
    assert ticks[0] == "30" and ticks[-1] == "60"


def test_the_map_names_its_biggest_places() -> None:
    points = [
        charts.MapPoint(f"p{n}", f"Ort {n}", 52 + n / 100, 8 + n / 100, n * 10, 100, 1.0)
        for n in range(1, 12)
    ]
    labels = {key: key for key, _, _ in charts.RATIO_CLASSES}
    root = parse(
        charts.map_chart(
            points, title="t", summary="s", class_labels=labels, size_label="z", classify=lambda _: "balanced"
        )
    )
    named = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.startswith("Ort ")]
    assert sorted(named) == sorted(f"Ort {n}" for n in range(4, 12))  # the eight with the most pupils
