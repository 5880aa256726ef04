"""Pure geography: distances and the ~1 km cells used to fuzz public locations.

A cell is a fixed grid square of CELL_SIZE_M on a side (longitude steps widen with
the cosine of the latitude so cells stay roughly square). The public sees the cell's
centre, never the point: moving inside a cell changes nothing that is published.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
CELL_SIZE_M = 1_000
# The edge of Web Mercator, and of Redis GEO's index (where the notifications service
# finds who to alert): an urgent request beyond it could not be alerted, so it is
# refused at posting, with a reason, rather than dead-lettered later.
ALERTABLE_MAX_LAT_DEG = 85.05112878
_METRES_PER_DEGREE_LAT = 111_320.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _lat_step_deg(size_m: int) -> float:
    return size_m / _METRES_PER_DEGREE_LAT


def _lon_step_deg(lat_row: int, size_m: int = CELL_SIZE_M) -> float:
    # The row's centre latitude fixes the longitude step, so every point of a row
    # agrees on the step (using the point's own latitude would not).
    lat_step = _lat_step_deg(size_m)
    centre_lat = (lat_row + 0.5) * lat_step
    shrink = max(math.cos(math.radians(centre_lat)), 0.01)
    return lat_step / shrink


def cell_of(lat: float, lon: float, size_m: int = CELL_SIZE_M) -> tuple[int, int]:
    """The grid cell (row, column) that holds a point; cells of ``size_m`` on a side
    (the public ~1 km cell unless told: the outcomes' areas are wider)."""
    row = math.floor(lat / _lat_step_deg(size_m))
    col = math.floor(lon / _lon_step_deg(row, size_m))
    return row, col


def cell_id(lat: float, lon: float) -> str:
    row, col = cell_of(lat, lon)
    return f"{row}:{col}"


def cell_centre(row: int, col: int, size_m: int = CELL_SIZE_M) -> tuple[float, float]:
    step = _lon_step_deg(row, size_m)
    lat = (row + 0.5) * _lat_step_deg(size_m)
    lon = (col + 0.5) * step
    return round(lat, 5), round(max(-180.0, min(180.0, lon)), 5)
