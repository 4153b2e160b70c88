"""Map images (`/map.png`): the map drawn on the server as a PNG, for social cards, articles and print."""
