"""trip: dated itineraries of geocoded stops, drawn as maps and exported to share.

The public API is re-exported here; ``__all__`` is the contract.
"""

from __future__ import annotations

from .errors import (
    ExportError,
    FileTooLarge,
    FormatError,
    GazetteerError,
    GeocoderServiceError,
    PlaceNotFound,
    QueryError,
    RowErrors,
    TripError,
    ValidationError,
)
from .geo import LatLon, distance_km, great_circle_points, split_antimeridian
from .itinerary import DatePrecision, Itinerary, Mode, Place, Source, Status, Stop

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "TripError",
    "ValidationError",
    "FormatError",
    "FileTooLarge",
    "QueryError",
    "RowErrors",
    "PlaceNotFound",
    "GazetteerError",
    "GeocoderServiceError",
    "ExportError",
    "LatLon",
    "distance_km",
    "great_circle_points",
    "split_antimeridian",
    "Itinerary",
    "Stop",
    "Place",
    "Source",
    "Status",
    "Mode",
    "DatePrecision",
]
