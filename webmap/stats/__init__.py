"""Statistics that follow the map's filters: counts per period, zone and governorate, the sentence that sums
them up, and the charts drawn from them."""
