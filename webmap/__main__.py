"""Allow `python -m webmap`."""
from .cli import main

main()
