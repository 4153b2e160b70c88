"""Text in images: a font that covers Arabic, shaped and ordered right to left by libraqm as a browser does."""
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont, features

from ..core.errors import WebmapError

# Debian's fonts-dejavu-core (installed by .ci/run): DejaVu Sans has Latin and Arabic with the OpenType
# tables that join Arabic letters.
FONT_FILES = {
    False: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}


class TextUnavailable(WebmapError):
    """The machine lacks the font or the shaping library that image text needs (the server's fault)."""

    status, code = 500, "ServerError"


def shaping_available() -> bool:
    """Tell whether Pillow can shape text with libraqm (its wheels bundle it; FriBiDi comes from the system)."""
    return features.check("raqm")


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Return the image font at `size` pixels, laid out by libraqm (joined Arabic, right to left)."""
    path = FONT_FILES[bold]
    if not path.exists():
        raise TextUnavailable(f"{path} is missing: install the Debian package fonts-dejavu-core")
    if not shaping_available():
        raise TextUnavailable("Pillow cannot shape text (libraqm): install the Debian package libfribidi0")
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def text_width(text: str, face: ImageFont.FreeTypeFont, direction: str | None = None) -> float:
    """Return how many pixels wide `text` is once shaped."""
    return face.getlength(text, direction=direction)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float, direction: str | None = None) -> list[str]:
    """Split `text` at spaces into lines at most `width` pixels wide (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, face, direction) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
