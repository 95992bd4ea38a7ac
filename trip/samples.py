"""The sample trips shipped in ``data/samples/``, by name.

>>> "kim-jong-un-2023-far-east" in list_samples()
True
>>> load_sample("kim-jong-un-2023-far-east").stops[1].name
'Khasan'
"""

from __future__ import annotations

from pathlib import Path

from .errors import ValidationError
from .itinerary import Itinerary

__all__ = ["SAMPLES_DIR", "DEFAULT_SAMPLE", "list_samples", "sample_path", "load_sample"]

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
#: The trip the dashboard opens with.
DEFAULT_SAMPLE = "kim-jong-un-2023-far-east"


def list_samples() -> list[str]:
    """Names of the sample trips (file names without ``.csv``), sorted."""
    return sorted(p.stem for p in SAMPLES_DIR.glob("*.csv"))


def sample_path(name: str) -> Path:
    """The file of sample ``name`` (with or without ``.csv``); unknown names list the valid ones."""
    stem = name[:-4] if name.lower().endswith(".csv") else name
    if stem in list_samples():
        return SAMPLES_DIR / f"{stem}.csv"
    raise ValidationError(f"is not a sample trip (samples: {', '.join(list_samples())})",
                          field="sample", value=name)


def load_sample(name: str = DEFAULT_SAMPLE) -> Itinerary:
    """The sample trip ``name`` as an :class:`~trip.itinerary.Itinerary`."""
    from .formats import load

    return load(sample_path(name))
