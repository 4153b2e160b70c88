"""Where the bundled resource folders live, in a source checkout or an installed wheel."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # webmap/, above core/

# In a wheel these folders are copied inside the package (see pyproject.toml);
# in a checkout they sit beside it, at the repository root.
_CHECKOUT_NAMES = {"vendor": "node_modules"}


def resource_dir(name: str) -> Path:
    """Return the folder holding the bundled resource `name` (templates, geodata, vendor)."""
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / _CHECKOUT_NAMES.get(name, name)
