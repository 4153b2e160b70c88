"""The statistics in a real browser: charts drawn by Observable Plot under the site's CSP, following the filters,
and a chart embedded in a sandboxed frame on another origin."""
import pytest

from webmap.core.i18n import month_names, period_label

pytestmark = pytest.mark.browser

TIMELINE_BARS = "#chart-timeline .chart-canvas svg g[aria-label='bar'] rect"
SVG_TEXTS = "texts => texts.map(t => t.textContent)"  # SVG text has no innerText


def drawn_bars(page) -> int:
    """Return how many bars of the timeline chart have a height (Plot draws each stack segment as one)."""
    return page.locator(TIMELINE_BARS).evaluate_all("bars => bars.filter(b => +b.getAttribute('height') > 0).length")


def test_changing_a_filter_redraws_the_charts_and_the_summary(page, live_server):
    """Ticking an event type reloads the statistics for it: fewer bars, other numbers and another sentence."""
    page.goto(f"{live_server}/stats")
    page.locator(TIMELINE_BARS).first.wait_for(state="attached")
    assert drawn_bars(page) == 7  # the fixture's seven incidents fall in seven months, one type each
    everything = page.locator("#stats-summary").inner_text()
    assert "In all, 7 incidents match the filters" in everything
    for chart in ("zones", "governorates", "fatalities", "share"):
        assert page.locator(f"#chart-{chart} .chart-canvas svg").count() >= 1
    page.locator("input[name='type'][value='airstrike']").check()
    page.wait_for_url("**/stats?*type=airstrike*")
    page.locator(TIMELINE_BARS).first.wait_for(state="attached")
    assert drawn_bars(page) == 2  # t-003 in February, t-004 in March
    summary = page.locator("#stats-summary").inner_text()
    assert summary != everything and "In all, 2 incidents match the filters" in summary
    zones = page.locator("#chart-zones .chart-canvas svg g[aria-label='text'] text").evaluate_all(SVG_TEXTS)
    assert sum(int(n) for n in zones) == 2
    # For screen readers: in the page, but in a box collapsed to a pixel.
    box = page.locator("table[data-chart-table='zones']").locator("..").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    assert page.locator("table[data-chart-table='zones'] tbody tr").count() == 9


def test_arabic_statistics_draw_right_to_left(page, live_server):
    """In Arabic the page runs right to left, with Arabic titles and summary, and the charts still draw."""
    page.goto(f"{live_server}/stats?lang=ar")
    page.locator(TIMELINE_BARS).first.wait_for(state="attached")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "تطابق عوامل التصفية 7 حوادث في المجموع" in page.locator("#stats-summary").inner_text()
    assert page.locator("#chart-zones figcaption").inner_text() == "الحوادث في كل منطقة، من الغرب إلى الشرق"


def test_chart_embed_draws_in_a_sandboxed_frame_on_another_origin(page, live_server, article_server):
    """A chart embed draws its chart inside another site's `sandbox="allow-scripts"` frame, with no console error."""
    article = article_server("/chart", f"{live_server}/embed/chart?chart=zones&type=incursion")
    page.goto(article)
    frame = page.frame_locator("#map")
    bars = frame.locator(".chart-canvas svg g[aria-label='bar'] rect")
    bars.first.wait_for(state="attached")
    assert bars.count() == 9  # one per zone, zero-width ones included
    counts = frame.locator(".chart-canvas svg g[aria-label='text'] text").evaluate_all(SVG_TEXTS)
    assert sum(int(n) for n in counts) == 2  # the fixture's two incursions
    assert frame.locator("a.embed-open").get_attribute("href").startswith(f"{live_server}/stats?type=incursion")
    assert page.console_errors == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_periods_read_the_way_the_page_does(page, live_server, lang):
    """The charts over time name their months as the page's language writes them (Dec 2024, كانون الأول/ديسمبر
    2024), and run the way it reads: in Arabic the earliest period is drawn right of the latest, with the counts
    on the right; in English the reverse. The table for screen readers names the months too, ISO kept in
    `datetime`."""
    page.goto(f"{live_server}/stats?lang={lang}")
    page.locator(TIMELINE_BARS).first.wait_for(state="attached")
    names = month_names(lang, "abbreviated")
    for chart in ("timeline", "fatalities", "share"):
        ticks = page.locator(f"#chart-{chart} .chart-canvas svg g[aria-label='x-axis tick label'] text")
        labels = [text.strip("\u2067\u2069") for text in ticks.evaluate_all(SVG_TEXTS)]
        months = [f"{label.rsplit(' ', 1)[1]}-{names.index(label.rsplit(' ', 1)[0]) + 1:02d}" for label in labels]
        assert months[0] == "2024-12" and len(months) >= 3, (chart, labels)  # the fixture's first month
        xs = dict(zip(months, ticks.evaluate_all("ts => ts.map(t => t.getBoundingClientRect().x)")))
        in_time = [xs[month] for month in sorted(months)]
        assert in_time == (sorted(in_time, reverse=True) if lang == "ar" else sorted(in_time)), (chart, xs)
    bars = page.locator(TIMELINE_BARS).evaluate_all("bars => bars.map(b => b.getBoundingClientRect().x)")
    assert (bars[0] > bars[-1]) == (lang == "ar")  # the rows come in time order, earliest first
    counts = page.locator("#chart-timeline .chart-canvas svg g[aria-label='y-axis tick label'] text").first
    assert (counts.bounding_box()["x"] > max(bars)) if lang == "ar" else (counts.bounding_box()["x"] < min(bars))
    cell = page.locator("table[data-chart-table='timeline'] tbody tr").first.locator("td").first.locator("time")
    assert cell.get_attribute("datetime") == "2024-12-01"
    assert cell.text_content() == period_label("2024-12-01", "month", lang)
