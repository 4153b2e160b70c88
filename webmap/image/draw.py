"""Painting a composed map image with Pillow and encoding it as PNG or PDF: pure, from a Composition to bytes."""
import io
import math

import numpy as np
from PIL import Image, ImageColor, ImageDraw

from ..core.model import ReferenceLayer
from ..core.points import IncidentPoints
from ..core.vocabulary import Vocabulary
from .compose import CLUSTER_COLOR, Composition, ImageOptions, Label, LayerShapes, LegendEntry, compose
from .text import font, text_width, wrap

BACKGROUND = "#f4f3ef"  # no basemap tiles: a plain paper colour, so the image never needs another server
PANEL = (255, 255, 255, 232)
INK, MUTED = "#1f2933", "#52606d"
HALO = (255, 255, 255, 235)
SUPERSAMPLE = 2  # lines and markers are drawn at twice the size and reduced, which smooths their edges
SUPERSAMPLE_MAX_PIXELS = 4_000_000  # larger images are sharp enough as they are, and would need 4x memory
PDF_DPI = 300  # a PDF page is the image printed at this resolution (A4 landscape: 3508x2480 pixels)
PDF_JPEG_QUALITY = 90
MARKER_RADIUS, TOWN_RADIUS = 6, 2.5  # map pixels
Box = tuple[float, float, float, float]


def rgba(color: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """Return a CSS hex colour with an opacity as an RGBA tuple."""
    return (*ImageColor.getrgb(color)[:3], round(255 * max(0.0, min(1.0, opacity))))


def dashes(line: np.ndarray, on: float, off: float) -> list[np.ndarray]:
    """Cut a polyline into the pieces a dash pattern of `on` and `off` pixels leaves drawn."""
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(line, axis=0).T))])
    starts = np.arange(0.0, along[-1], on + off)
    ends = np.minimum(starts + on, along[-1])
    first, last = np.searchsorted(along, starts, "right"), np.searchsorted(along, ends, "left")
    begin = np.column_stack([np.interp(starts, along, line[:, 0]), np.interp(starts, along, line[:, 1])])
    finish = np.column_stack([np.interp(ends, along, line[:, 0]), np.interp(ends, along, line[:, 1])])
    return [np.vstack([begin[n], line[first[n]:last[n]], finish[n]]) for n in range(len(starts))]


def _stroke(pen: ImageDraw.ImageDraw, line: np.ndarray, color, width: float, dash: tuple[float, float] | None):
    """Draw a polyline, dashed when a pattern is given."""
    for piece in dashes(line, *dash) if dash else [line]:
        if len(piece) >= 2:
            pen.line(piece.ravel().tolist(), fill=color, width=max(1, round(width)), joint="curve")


def _dash(style: dict, unit: float) -> tuple[float, float] | None:
    """Return the layer's dash pattern (Leaflet's `dashArray`, "on off") in image pixels."""
    parts = [float(p) for p in str(style.get("dashArray") or "").replace(",", " ").split()]
    return (parts[0] * unit, (parts[1] if len(parts) > 1 else parts[0]) * unit) if parts else None


def _fill(canvas: Image.Image, pen: ImageDraw.ImageDraw, polygon: list[np.ndarray], color: str,
          opacity: float) -> None:
    """Fill a polygon with a translucent colour, leaving its holes clear (through a mask only when it has
    holes, and only over its own extent: masks the size of the image are slow to paste)."""
    if len(polygon) == 1:
        pen.polygon([tuple(p) for p in polygon[0]], fill=rgba(color, opacity))
        return
    low = np.floor(np.maximum(polygon[0].min(axis=0), 0)).astype(int)
    high = np.ceil(np.minimum(polygon[0].max(axis=0), canvas.size)).astype(int)
    if (high <= low).any():
        return
    mask = Image.new("L", tuple(high - low), 0)
    mask_pen = ImageDraw.Draw(mask)
    for n, ring in enumerate(polygon):
        mask_pen.polygon([tuple(p) for p in ring - low], fill=0 if n else round(255 * opacity))
    canvas.paste(ImageColor.getrgb(color), (*low, *high), mask)


def _draw_layer(canvas: Image.Image, pen: ImageDraw.ImageDraw, layer: LayerShapes, factor: int, unit: float) -> None:
    """Draw one reference layer on a canvas `factor` times the image's size (`unit` canvas pixels per map
    pixel): area fills (holes kept clear), outlines and lines, then point symbols."""
    style = layer.style
    color = rgba(style.get("color", "#333333"), style.get("opacity", 1.0))
    fill_opacity = style.get("fillOpacity", 0.0)
    if fill_opacity > 0:
        fill = style.get("fillColor", style.get("color", "#333333"))
        for polygon in layer.polygons:
            _fill(canvas, pen, [ring * factor for ring in polygon], fill, fill_opacity)
    width, dash = style.get("weight", 1) * unit, _dash(style, unit)
    for line in [ring for polygon in layer.polygons for ring in polygon] + layer.lines:
        _stroke(pen, line * factor, color, width, dash)
    radius = TOWN_RADIUS * unit
    for x, y in layer.points * factor:
        pen.ellipse((x - radius, y - radius, x + radius, y + radius),
                    fill=rgba(style.get("fillColor", "#ffffff"), style.get("fillOpacity", 1.0)), outline=color,
                    width=max(1, round(unit)))


# Marker shapes that are not regular polygons, in units of the marker's radius.
OUTLINES = {
    "cross": ((-.4, -1.15), (.4, -1.15), (.4, -.4), (1.15, -.4), (1.15, .4), (.4, .4), (.4, 1.15), (-.4, 1.15),
              (-.4, .4), (-1.15, .4), (-1.15, -.4), (-.4, -.4)),
    "bar": ((-1.25, -.6), (1.25, -.6), (1.25, .6), (-1.25, .6)),
}


def _shape(kind: str, x: float, y: float, r: float) -> list[tuple[float, float]] | None:
    """Return the outline of a marker shape centred on (x, y), or None for a circle."""
    corners = {"triangle": (3, -90, 1.25), "triangle_down": (3, 90, 1.25), "square": (4, 45, 1.15),
               "diamond": (4, 0, 1.3), "hexagon": (6, 0, 1.15)}
    if kind in OUTLINES:
        return [(x + r * dx, y + r * dy) for dx, dy in OUTLINES[kind]]
    if kind == "star":
        return [(x + (r if n % 2 == 0 else r / 2.2) * 1.3 * math.cos(math.radians(-90 + 36 * n)),
                 y + (r if n % 2 == 0 else r / 2.2) * 1.3 * math.sin(math.radians(-90 + 36 * n))) for n in range(10)]
    if kind not in corners:
        return None
    sides, turn, grow = corners[kind]
    return [(x + r * grow * math.cos(math.radians(turn + 360 * n / sides)),
             y + r * grow * math.sin(math.radians(turn + 360 * n / sides))) for n in range(sides)]


def _marker(pen: ImageDraw.ImageDraw, kind: str, x: float, y: float, r: float, color: str, hollow: bool,
            unit: float) -> None:
    """Draw an incident symbol: filled with a white edge, or hollow in its colour."""
    fill, outline = ((255, 255, 255, 230), rgba(color)) if hollow else (rgba(color), (255, 255, 255, 255))
    width = max(1, round((2 if hollow else 1) * unit))
    outline_points = _shape(kind, x, y, r)
    if outline_points is None:
        pen.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width)
    else:
        pen.polygon(outline_points, fill=fill, outline=outline, width=width)


def _cluster_radius(count: int) -> float:
    """Return a cluster's radius in map pixels: growing with the number of incidents, as on the live map."""
    return 11 + 4 * math.log10(count)


def _draw_geometry(composition: Composition) -> Image.Image:
    """Draw the reference layers and the incidents (smoothed by supersampling when the image is not huge)."""
    frame = composition.frame
    factor = SUPERSAMPLE if frame.width * frame.height <= SUPERSAMPLE_MAX_PIXELS else 1
    canvas = Image.new("RGB", (frame.width * factor, frame.height * factor), BACKGROUND)
    pen = ImageDraw.Draw(canvas, "RGBA")
    unit = frame.scale * factor
    for layer in composition.layers:
        _draw_layer(canvas, pen, layer, factor, unit)
    for m in composition.markers:
        _marker(pen, m.shape, m.x * factor, m.y * factor, MARKER_RADIUS * unit, m.color, m.hollow, unit)
    for c in composition.clusters:
        r = _cluster_radius(c.count) * unit
        box = (c.x * factor - r, c.y * factor - r, c.x * factor + r, c.y * factor + r)
        pen.ellipse(box, fill=rgba(CLUSTER_COLOR, 0.85), outline=(255, 255, 255, 255), width=round(2 * unit))
        if c.approximate:  # mostly approximate locations: a dashed ring, as the live map draws it
            ring = np.array([(c.x * factor + (r + 2 * unit) * math.cos(a), c.y * factor + (r + 2 * unit) * math.sin(a))
                             for a in np.linspace(0, 2 * math.pi, 48)])
            _stroke(pen, ring, rgba(CLUSTER_COLOR), 1.5 * unit, (4 * unit, 3 * unit))
    return canvas.reduce(factor) if factor > 1 else canvas


def _overlaps(box: Box, taken: list[Box]) -> bool:
    """Tell whether a box overlaps any of `taken`."""
    return any(box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken)


def _label(pen: ImageDraw.ImageDraw, label: Label, scale: float, taken: list[Box], force: bool = False) -> None:
    """Draw a label with a white halo unless it would cover one already drawn (or a panel); `force`: draw it
    anyway, without a halo (a cluster's count, on its own disc)."""
    face = font(round(label.size * scale), label.bold)
    box = pen.textbbox((label.x, label.y), label.text, font=face, anchor=label.anchor)
    box = (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2)
    if not force and (_overlaps(box, taken) or box[0] < 0 or box[1] < 0
                      or box[2] > pen.im.size[0] or box[3] > pen.im.size[1]):
        return
    taken.append(box)
    halo = {} if force else {"stroke_width": max(1, round(2 * scale)), "stroke_fill": HALO}
    pen.text((label.x, label.y), label.text, font=face, anchor=label.anchor, fill=label.color, **halo)


class _Writer:
    """Writes lines of text from one edge of the image inward: the left for English, the right for Arabic."""

    def __init__(self, pen: ImageDraw.ImageDraw, composition: Composition):
        self.pen, self.rtl = pen, composition.direction == "rtl"
        self.width, self.scale = composition.frame.width, composition.frame.scale
        self.margin = round(12 * self.scale)

    def face(self, size: int, bold: bool = False):
        """Return the font for a size in map pixels."""
        return font(round(size * self.scale), bold)

    def lines(self, text: str, size: int, width: float) -> list[str]:
        """Wrap text to a width in image pixels."""
        return wrap(text, self.face(size), width, self.direction)

    @property
    def direction(self) -> str:
        """Return Pillow's text direction for interface text."""
        return "rtl" if self.rtl else "ltr"

    def write(self, x: float, y: float, text: str, size: int, color: str, bold: bool = False) -> None:
        """Write one line whose start (left, or right for Arabic) is `x` from its edge, its top at `y`."""
        self.pen.text((self.width - x if self.rtl else x, y), text, font=self.face(size, bold), fill=color,
                      anchor="ra" if self.rtl else "la", direction=self.direction)

    def span(self, x0: float, x1: float) -> tuple[float, float]:
        """Return the image columns covered from `x0` to `x1` measured from the writing edge."""
        return (self.width - x1, self.width - x0) if self.rtl else (x0, x1)


def _title_band(pen: ImageDraw.ImageDraw, writer: _Writer, composition: Composition) -> float:
    """Draw the title and the filters in words across the top; return the band's height."""
    s, m = writer.scale, writer.margin
    title = writer.lines(composition.title, 22, writer.width - 2 * m)
    subtitle = [line for text in composition.subtitle for line in writer.lines(text, 14, writer.width - 2 * m)]
    height = m + len(title) * 28 * s + len(subtitle) * 19 * s + m * 0.6
    pen.rectangle((0, 0, writer.width, height), fill=PANEL)
    y = m
    for line in title:
        writer.write(m, y, line, 22, INK, bold=True)
        y += 28 * s
    for line in subtitle:
        writer.write(m, y, line, 14, MUTED)
        y += 19 * s
    return height


def _credits_band(pen: ImageDraw.ImageDraw, writer: _Writer, composition: Composition) -> float:
    """Draw the credits and notes along the bottom; return the band's top."""
    s, m, height = writer.scale, writer.margin, composition.frame.height
    credits = writer.lines(" · ".join(composition.credits), 12, writer.width - 2 * m)
    notes = [line for note in composition.notes for line in writer.lines(note, 11, writer.width - 2 * m)]
    top = height - (m * 1.2 + len(credits) * 16 * s + len(notes) * 15 * s)
    pen.rectangle((0, top, writer.width, height), fill=PANEL)
    y = top + m * 0.6
    for line in credits:
        writer.write(m, y, line, 12, INK)
        y += 16 * s
    for line in notes:
        writer.write(m, y, line, 11, MUTED)
        y += 15 * s
    return top


def _legend_symbol(pen: ImageDraw.ImageDraw, entry: LegendEntry, x: float, y: float, s: float) -> None:
    """Draw a legend row's symbol centred on (x, y)."""
    if entry.symbol == "marker":
        _marker(pen, entry.shape, x, y, MARKER_RADIUS * s, entry.color, False, s)
    elif entry.symbol == "cluster":
        pen.ellipse((x - 8 * s, y - 8 * s, x + 8 * s, y + 8 * s), fill=rgba(entry.color, 0.85))
    else:
        line = np.array([(x - 11 * s, y), (x + 11 * s, y)])
        if entry.symbol == "area":
            pen.rectangle((x - 11 * s, y - 6 * s, x + 11 * s, y + 6 * s), fill=rgba(entry.color, 0.25))
        _stroke(pen, line, rgba(entry.color), 3 * s, (6 * s, 4 * s) if entry.dashed else None)


def _legend(pen: ImageDraw.ImageDraw, writer: _Writer, composition: Composition, top: float,
            bottom: float) -> Box | None:
    """Draw the legend box below the title, at the writing edge, with as many rows as fit; return its box."""
    s, m = writer.scale, writer.margin
    row, symbol = 21 * s, 30 * s
    heading = composition.legend_heading
    fitting = composition.legend[:max(0, int((bottom - top - 2.5 * m - row) // row))]
    if not fitting:
        return None
    inner = max(text_width(e.text, writer.face(12), writer.direction) for e in fitting) + symbol
    inner = max(inner, text_width(heading, writer.face(13, True), writer.direction))
    x0, x1 = writer.span(m, m + inner + m)
    box = (x0, top + m / 2, x1, top + m / 2 + m + row * (len(fitting) + 1))
    pen.rectangle(box, fill=PANEL, outline=(180, 180, 180, 255))
    writer.write(1.5 * m, box[1] + m / 2, heading, 13, INK, bold=True)
    for n, entry in enumerate(fitting, start=1):
        y = box[1] + m / 2 + row * n
        centre = 1.5 * m + 11 * s
        _legend_symbol(pen, entry, writer.width - centre if writer.rtl else centre, y + 8 * s, s)
        writer.write(1.5 * m + symbol, y, entry.text, 12, INK)
    return box


def draw_image(composition: Composition, image_format: str = "png") -> bytes:
    """Paint a composition and return it as PNG bytes, or as a one-page PDF (`image_format="pdf"`)."""
    frame = composition.frame
    canvas = _draw_geometry(composition)
    pen = ImageDraw.Draw(canvas, "RGBA")
    writer = _Writer(pen, composition)
    # Panels are measured on a scratch canvas first, so labels can keep clear of them.
    scratch = _Writer(ImageDraw.Draw(Image.new("RGB", (1, 1))), composition)
    title_bottom = _title_band(scratch.pen, scratch, composition)
    credits_top = _credits_band(scratch.pen, scratch, composition)
    legend_box = _legend(scratch.pen, scratch, composition, title_bottom, credits_top)
    taken = [(0, 0, frame.width, title_bottom), (0, credits_top, frame.width, frame.height)]
    taken += [legend_box] if legend_box else []
    for cluster in composition.clusters:
        _label(pen, Label(str(cluster.count), cluster.x, cluster.y, "#ffffff", 12, "mm", bold=True), frame.scale,
               taken, force=True)
    for label in composition.labels:
        _label(pen, label, frame.scale, taken)
    _title_band(pen, writer, composition)
    _credits_band(pen, writer, composition)
    _legend(pen, writer, composition, title_bottom, credits_top)
    output = io.BytesIO()
    if image_format == "pdf":
        # The page is the image at print resolution, so it prints at its size in inches / PDF_DPI; JPEG at this
        # quality keeps lines and text crisp at a tenth of the size of the uncompressed palette Pillow offers.
        canvas.convert("RGB").save(output, "PDF", resolution=PDF_DPI, quality=PDF_JPEG_QUALITY)
    else:
        canvas.save(output, "PNG", compress_level=3)  # level 6 takes three times as long for a tenth less
    return output.getvalue()


def render_map_image(points: IncidentPoints, layers: list[ReferenceLayer], vocabulary: Vocabulary,
                     options: ImageOptions, image_format: str = "png") -> bytes:
    """Return the PNG (or PDF) of the map these incident columns, reference layers and options describe."""
    return draw_image(compose(points, layers, vocabulary, options), image_format)
