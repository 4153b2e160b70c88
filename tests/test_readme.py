"""The README says only what is true: its parameter tables name every parameter the pages accept."""
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from webmap.core.vocabulary import load_vocabulary
from webmap.embed.params import parse_embed_params

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
LAYER_IDS = ["alpha_line", "bravo_line"]
# One embed of each view form, with every parameter set to something other than its default.
EVERYTHING = ("start=2025-01-01&end=2025-02-01&type=raid&verification=verified&precision=town&batch=2&zone=separation"
              "&governorate=SY14&distance_alpha_km=0,5&distance_bravo_km=-5,0&q=sweida&layers=alpha_line&lang=ar")
VIEWS = ("bbox=35.5,32.5,36.5,33.5", "lat=33.1&lon=35.8&zoom=9")


def section(heading: str) -> str:
    """Return the README text under a heading, up to the next heading of any level."""
    start = README.index(f"\n{heading}\n") + len(heading) + 2
    following = re.search(r"\n#{2,4} ", README[start:])
    return README[start:start + following.start()] if following else README[start:]


def table_parameters(text: str) -> set[str]:
    """Return every `name` in the first column of the Markdown table(s) in `text`."""
    return {name for row in re.findall(r"^\| *([^|]+?) *\|", text, re.M) for name in re.findall(r"`(\w+)`", row)}


def accepted(embed: bool) -> set[str]:
    """Return the parameters the map page (or, if `embed`, the embed) keeps, as its own URLs write them."""
    names = set()
    for view in VIEWS:
        params = parse_embed_params(MultiDict(sorted((k, v) for k, v in (
            pair.split("=") for pair in f"{EVERYTHING}&{view}&legend=0&as_of=3&title=T&caption=auto".split("&")))),
            load_vocabulary(), LAYER_IDS)
        names |= set(params.to_args() if embed else params.map_args())
    return names


@pytest.mark.parametrize("heading, embed", [("## The map page", False), ("### Parameters", True)])
def test_parameter_tables_list_every_parameter(heading, embed):
    """The map page's and the embed's tables name each parameter their URLs can carry, and no other."""
    listed = table_parameters(section(heading))
    assert accepted(embed) == listed - ({"legend", "as_of"} if not embed else set())
    assert {"layers", "bbox"} <= listed and (not embed or {"verification", "precision"} <= listed)


def test_url_parameters_paragraph_names_every_map_parameter():
    """The paragraph on the map's address names every parameter of the map page."""
    named = set(re.findall(r"`(\w+)`", section("### URL parameters")))
    assert accepted(embed=False) <= named
