"""Places: the bundled gazetteer, search words expanded into every spelling of the place they name, and
suggestions for the map's place search."""
