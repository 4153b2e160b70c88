"""Charts drawn on the server for print and images: a pure layout into shapes, written out as SVG or painted
as PNG with Pillow (libraqm shapes the Arabic text, as in map images)."""
import io
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw

from ..image.compose import Label
from ..image.text import font, text_width
from .charts import Series, category_rows, chart_series, chart_title, period_labels, period_values
from .compute import ChartTable

TITLE_PX, LABEL_PX = 16, 12
PAD = 12
AXIS = "#555555"
GRID = "#dddddd"
INK = "#222222"
TICKS = 5
PERIOD_GAP_PX = 12  # at least this much between two dates under the time axis
VALUE_AXIS_PX = 40  # room for the counts beside the plot
SVG_FONTS = "DejaVu Sans, Noto Sans Arabic, sans-serif"


@dataclass(frozen=True)
class Box:
    """A filled rectangle."""

    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Path:
    """An open line through points."""

    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0


# Text is anchored by its baseline's start, middle or end, as Pillow's anchors ls, ms and rs name them.
START, MIDDLE, END = "ls", "ms", "rs"


def _text(x: float, y: float, text: str, anchor: str = START, size: int = LABEL_PX, bold: bool = False) -> Label:
    """Return a line of interface-coloured text."""
    return Label(text, x, y, INK, size, anchor, bold)


@dataclass(frozen=True)
class Scene:
    """Everything a chart image holds, in drawing order."""

    width: int
    height: int
    direction: str
    shapes: tuple


def _nice_step(maximum: float) -> float:
    """Return a round tick step (1, 2 or 5 times a power of ten, at least 1) for about TICKS ticks up to `maximum`."""
    raw = max(maximum, 1) / TICKS
    power = 10 ** math.floor(math.log10(raw))
    return max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))  # counts are whole


def _measure(text: str, size: int, direction: str) -> float:
    """Return the shaped width of `text` in pixels."""
    return text_width(text, font(size), direction)


def _number(value: float) -> str:
    """Format an axis value without a needless decimal."""
    return f"{value:g}"


def _header(title: str, series: list[Series], width: int, direction: str) -> tuple[list, float]:
    """Lay out the title and, for several series, a key; return the shapes and where the plot may begin."""
    rtl = direction == "rtl"
    edge = width - PAD if rtl else PAD
    shapes = [_text(edge, PAD + TITLE_PX, title, END if rtl else START, TITLE_PX, True)]
    y = PAD + TITLE_PX + 10
    if len(series) < 2:
        return shapes, y
    x = 0.0
    for s in series:
        item = 14 + _measure(s.label, LABEL_PX, direction) + 16
        if x and x + item > width - 2 * PAD:
            x, y = 0.0, y + LABEL_PX + 8
        left = width - PAD - x - 10 if rtl else PAD + x
        text_x = left - 4 if rtl else left + 14
        shapes += [Box(left, y, 10, 10, s.colour), _text(text_x, y + 10, s.label, END if rtl else START)]
        x += item
    return shapes, y + LABEL_PX + 12


def _value_axis(top: float, bottom: float, left: float, right: float, maximum: float,
                rtl: bool) -> tuple[list, float]:
    """Draw horizontal grid lines with their values (at the right when `rtl`); return them and the axis' top
    value."""
    step = _nice_step(maximum)
    ceiling = step * math.ceil(max(maximum, 1) / step)
    shapes = []
    value = 0.0
    while value <= ceiling + step / 2:
        y = bottom - (bottom - top) * value / ceiling
        number = _text(right + 4, y + 4, _number(value), START) if rtl else _text(left - 4, y + 4, _number(value), END)
        shapes += [Path(((left, y), (right, y)), GRID), number]
        value += step
    return shapes, ceiling


def _over_time(table: ChartTable, series: list[Series], unit: str, top: float, width: int, height: int,
               lang: str, direction: str) -> list:
    """Draw stacked columns per period (lines for the share chart) with dates under the axis, named as `lang`
    writes them; right to left (earliest at the right, counts at the right) when `direction` is."""
    rtl = direction == "rtl"
    starts, values = period_values(table, series)
    names = period_labels(table, unit, lang)
    stacked = table.chart != "share"
    totals = [sum(v[n] or 0 for v in values.values()) if stacked else max((v[n] or 0) for v in values.values())
              for n in range(len(starts))]
    left, right = (PAD, width - PAD - VALUE_AXIS_PX) if rtl else (PAD + VALUE_AXIS_PX, width - PAD)
    bottom = height - PAD - LABEL_PX - 8
    shapes, ceiling = _value_axis(top, bottom, left, right, 100 if not stacked else max(totals, default=0), rtl)
    slot = (right - left) / max(len(starts), 1)
    widest = max((_measure(name, LABEL_PX, direction) for name in names.values()), default=0)
    every = max(1, math.ceil((widest + PERIOD_GAP_PX) / slot))
    for n, start in enumerate(starts):
        x = right - (n + 1) * slot if rtl else left + n * slot
        if n % every == 0:
            shapes.append(_text(x + slot / 2, height - PAD, names.get(start, start), MIDDLE))
        if stacked:
            base = bottom
            for s in series:
                size = (bottom - top) * (values[s.id][n] or 0) / ceiling
                if size:
                    shapes.append(Box(x + slot * 0.1, base - size, slot * 0.8, size, s.colour))
                base -= size
    if not stacked:
        for s in series:
            points = tuple(((right - (n + 0.5) * slot) if rtl else (left + (n + 0.5) * slot),
                            bottom - (bottom - top) * v / ceiling)
                           for n, v in enumerate(values[s.id]) if v is not None)
            if points:
                shapes.append(Path(points, s.colour, 2.5))
    shapes.append(Path(((left, bottom), (right, bottom)), AXIS))
    return shapes


def _categories(rows: list[tuple[str, int]], colour: str, top: float, width: int, height: int,
                direction: str) -> list:
    """Draw one horizontal bar per category, its label beside it and its count at its end."""
    rtl = direction == "rtl"
    label_room = min(max((_measure(label, LABEL_PX, direction) for label, _ in rows), default=0) + 8, width * 0.45)
    count_room = 40
    bar_span = width - 2 * PAD - label_room - count_room
    maximum = max((count for _, count in rows), default=0) or 1
    slot = (height - PAD - top) / max(len(rows), 1)
    shapes = []
    for n, (label, count) in enumerate(rows):
        y = top + n * slot
        size = bar_span * count / maximum
        base = width - PAD - label_room if rtl else PAD + label_room
        bar_x = base - size if rtl else base
        shapes += [_text(width - PAD if rtl else PAD + label_room - 8, y + slot / 2 + 4, label, END),
                   Box(bar_x, y + slot * 0.15, size, slot * 0.7, colour),
                   _text(bar_x - 4 if rtl else bar_x + size + 4, y + slot / 2 + 4, str(count), END if rtl else START)]
    return shapes


def chart_scene(table: ChartTable, unit: str, vocabulary, text: dict, lang: str, direction: str,
                width: int, height: int) -> Scene:
    """Lay out one chart at `width` by `height` pixels: title, key, axes and marks."""
    series = chart_series(table, vocabulary, text, lang)
    shapes, top = _header(chart_title(table.chart, unit, text), series, width, direction)
    if table.chart in ("zones", "governorates"):
        shapes += _categories(category_rows(table, text), series[0].colour, top, width, height, direction)
    else:
        shapes += _over_time(table, series, unit, top, width, height, lang, direction)
    return Scene(width, height, direction, tuple(shapes))


def scene_svg(scene: Scene) -> str:
    """Write a scene as a standalone SVG document (text stays text, so it can be edited for print)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
             f'viewBox="0 0 {scene.width} {scene.height}" font-family="{SVG_FONTS}" direction="{scene.direction}">',
             f'<rect width="{scene.width}" height="{scene.height}" fill="#ffffff"/>']
    for shape in scene.shapes:
        if isinstance(shape, Box):
            parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
                         f'height="{shape.height:.1f}" fill="{shape.fill}"/>')
        elif isinstance(shape, Path):
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
                         f'stroke-width="{shape.width}"/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" fill="{shape.color}" '
                         f'text-anchor={quoteattr(_svg_anchor(shape.anchor, scene.direction))}{weight}>'
                         f'{escape(shape.text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_anchor(anchor: str, direction: str) -> str:
    """Return SVG's text-anchor for a Pillow anchor (by screen side): SVG's start and end follow the direction."""
    if anchor == MIDDLE:
        return "middle"
    return "start" if (anchor == START) == (direction != "rtl") else "end"


def scene_png(scene: Scene) -> bytes:
    """Paint a scene as a PNG with Pillow."""
    image = Image.new("RGB", (scene.width, scene.height), "#ffffff")
    pen = ImageDraw.Draw(image)
    for shape in scene.shapes:
        if isinstance(shape, Box):
            pen.rectangle((shape.x, shape.y, shape.x + shape.width, shape.y + shape.height), fill=shape.fill)
        elif isinstance(shape, Path):
            pen.line(shape.points, fill=shape.stroke, width=max(1, round(shape.width)), joint="curve")
        else:
            pen.text((shape.x, shape.y), shape.text, fill=shape.color, font=font(shape.size, shape.bold),
                     anchor=shape.anchor, direction=scene.direction)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
