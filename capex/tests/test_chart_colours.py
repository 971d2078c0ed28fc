"""
One colour per company across the charts (capex/colours.py): the same company has the same
colour on the dashboard, its own page, compare and a chip vendor's page; and the palette stays
distinguishable for readers with colour-vision deficiencies.
"""

import itertools
import json
import math
import re

import pytest

from capex.colours import PALETTE, company_colour
from capex.tests.test_pages_fixtures import sample_figures_load

pytestmark = pytest.mark.django_db


def chart_data(html: str, chart_id: str) -> dict:
    """The data block a chart is drawn from (what static/js/charts.js reads)."""
    found = re.search(rf'<script id="{re.escape(chart_id)}-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no chart {chart_id}"
    return json.loads(found.group(1))


def series_colours(data: dict) -> dict[str, str]:
    return {series["label"]: series["colour"] for series in data["series"]}


@pytest.fixture
def sample():
    return sample_figures_load()


def test_a_company_has_the_same_colour_in_every_chart(client, sample):
    bytedance, microsoft = company_colour("bytedance"), company_colour("microsoft")
    assert bytedance != microsoft

    home = series_colours(chart_data(client.get("/").content.decode(), "by-year"))
    assert home["ByteDance"] == bytedance
    assert home["Microsoft"] == microsoft

    compare_page = client.get("/compare/?companies=microsoft&companies=bytedance").content.decode()
    for chart_id in ("years", "scope"):
        colours = series_colours(chart_data(compare_page, chart_id))
        assert colours["ByteDance"] == bytedance, chart_id
        assert colours["Microsoft"] == microsoft, chart_id

    company_page = client.get("/companies/bytedance/").content.decode()
    for chart_id in ("years", "scope", "workload"):
        assert chart_data(company_page, chart_id)["series"][0]["colour"] == bytedance, chart_id

    # Nvidia's buyers: each bar is the buying company's colour.
    buyers = chart_data(client.get("/companies/nvidia/").content.decode(), "buyers")
    named = [
        (label, colour)
        for label, colour, muted in zip(
            buyers["categories"], buyers["categoryColours"], buyers["mutedCategories"], strict=True
        )
        if not muted
    ]
    assert named and all(label.startswith("ByteDance · ") for label, _ in named)
    assert {colour for _, colour in named} == {bytedance}


def test_a_figure_page_draws_its_spread_in_the_company_colour(client, sample):
    html = client.get(sample["alibaba"].get_absolute_url()).content.decode()
    assert chart_data(html, "spread")["series"][0]["colour"] == company_colour("alibaba")


def test_charts_of_other_things_carry_no_company_colour(client, sample):
    home = client.get("/").content.decode()
    scope = chart_data(home, "share-scope")
    assert scope["series"][0]["colour"] is None
    assert scope["categoryColours"] is None


def test_the_largest_spenders_have_five_different_colours():
    # Their capital-expenditure guidance stands side by side on the dashboard and in compare.
    colours = [company_colour(slug) for slug in ("microsoft", "alphabet", "amazon", "meta", "oracle")]
    assert len(set(colours)) == 5
    assert set(colours) <= {hex_colour for _, hex_colour in PALETTE}


# Machado, Oliveira and Fernandes (2009), severity 1.0: full protanopia, deuteranopia, tritanopia,
# applied to linear RGB.
DICHROMACY = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}
# CIE76 colour difference: about 2 is barely noticeable; 10 and more are clearly different colours.
CLEARLY_DIFFERENT = 12


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("vision", DICHROMACY)
def test_every_two_company_colours_stay_apart_for_colour_blind_readers(vision):
    matrix = DICHROMACY[vision]
    seen = {
        name: _lab([sum(row[i] * channel for i, channel in enumerate(_linear(hex_colour))) for row in matrix])
        for name, hex_colour in PALETTE
    }
    closest = min(math.dist(seen[a], seen[b]) for a, b in itertools.combinations(seen, 2))
    assert closest >= CLEARLY_DIFFERENT, f"{vision}: two colours are only {closest:.1f} apart"
