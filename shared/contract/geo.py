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
_CELL_LAT_DEG = CELL_SIZE_M / _METRES_PER_DEGREE_LAT


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _lon_step_deg(lat_row: int) -> float:
    # The row's centre latitude fixes the longitude step, so every point of a row
    # agrees on the step (using the point's own latitude would not).
    centre_lat = (lat_row + 0.5) * _CELL_LAT_DEG
    shrink = max(math.cos(math.radians(centre_lat)), 0.01)
    return _CELL_LAT_DEG / shrink


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    """The grid cell (row, column) that holds a point."""
    row = math.floor(lat / _CELL_LAT_DEG)
    col = math.floor(lon / _lon_step_deg(row))
    return row, col


def cell_id(lat: float, lon: float) -> str:
    row, col = cell_of(lat, lon)
    return f"{row}:{col}"


def cell_centre(row: int, col: int) -> tuple[float, float]:
    step = _lon_step_deg(row)
    lat = (row + 0.5) * _CELL_LAT_DEG
    lon = (col + 0.5) * step
    return round(lat, 5), round(max(-180.0, min(180.0, lon)), 5)
