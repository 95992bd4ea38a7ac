"""The one error tree of trip.

Every error the engine raises on purpose derives from :class:`TripError`, and each
leaf also derives from the built-in it resembles, so callers may catch either::

    TripError
    ├── ValidationError (ValueError)        a value broke a rule; names row/field/value
    │   ├── FormatError                     a file could not be read as its format
    │   │   ├── FileTooLarge                the file is over the size limit
    │   │   │   └── TooManyStops            more stops than one trip may hold
    │   │   └── RowErrors                   several rows are bad; ``errors`` lists each
    │   └── QueryError                      an empty, overlong or unusable place query
    ├── PlaceNotFound (LookupError)         no plausible place; carries suggestions
    ├── GazetteerError (RuntimeError)       the offline index cannot be built or opened
    ├── GeocoderServiceError (ConnectionError)  an online geocoder failed
    └── ExportError (RuntimeError)          an export could not be produced
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = [
    "TripError",
    "ValidationError",
    "FormatError",
    "FileTooLarge",
    "TooManyStops",
    "RowErrors",
    "QueryError",
    "PlaceNotFound",
    "GazetteerError",
    "GeocoderServiceError",
    "ExportError",
]


class TripError(Exception):
    """Root of every error trip raises on purpose."""


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else '"' + value + '"'
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ValidationError(TripError, ValueError):
    """A value broke a rule.

    The message names where the value sits (``row`` is the row as the user sees
    it in the file, as a spreadsheet numbers it: a CSV's header is row 1; ``field``
    is the column or attribute) and repeats the value, e.g.
    ``row 4, column "date": "Sept 31" is not a date (expected YYYY-MM-DD)``.
    """

    def __init__(
        self,
        problem: str,
        *,
        field: str | None = None,
        row: int | None = None,
        value: Any = None,
        show_value: bool = True,
    ) -> None:
        self.problem = problem
        self.field = field
        self.row = row
        self.value = value
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f'column "{field}"' if row is not None else f'field "{field}"')
        prefix = ", ".join(where)
        body = f"{_short(value)} {problem}" if show_value and value is not None else problem
        super().__init__(f"{prefix}: {body}" if prefix else body)

    def at_row(self, row: int) -> "ValidationError":
        """The same error placed on a row of a file (readers validate per row)."""
        return type(self)(
            self.problem, field=self.field, row=row, value=self.value,
            show_value=self.value is not None,
        )


class FormatError(ValidationError):
    """A file could not be read as the format it claims to be."""


class FileTooLarge(FormatError):
    """The file is larger than trip accepts."""


class TooManyStops(FileTooLarge):
    """The file (or link, or article set) holds more stops than one trip may have.

    ``count`` is how many it holds, ``limit`` the most allowed.
    """

    def __init__(self, problem: str, *, count: int | None = None, limit: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(problem, **kwargs)
        self.count = count
        self.limit = limit


class RowErrors(FormatError):
    """Several rows (or fields) of a file are invalid; ``errors`` lists every one.

    Readers collect all problems instead of stopping at the first, so a user can
    fix a file in one pass. The message lists each error on its own line; ``row``,
    ``field`` and ``value`` are those of the first.
    """

    def __init__(self, errors: Sequence[ValidationError], *, name: str = "") -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("RowErrors needs at least one error")
        where = f"{name} has " if name else ""
        lines = "\n".join(f"  {err}" for err in self.errors)
        super().__init__(f"{where}{len(self.errors)} errors:\n{lines}")
        first = self.errors[0]
        self.row, self.field, self.value = first.row, first.field, first.value

    def at_row(self, row: int) -> "RowErrors":
        return self


class QueryError(ValidationError):
    """A place query is empty, too long or otherwise unusable."""


class PlaceNotFound(TripError, LookupError):
    """No plausible place matches the query; ``suggestions`` lists near names."""

    def __init__(self, query: str, *, reason: str = "", suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.reason = reason
        self.suggestions = tuple(suggestions)
        message = f"no place found for {_short(query)}"
        if reason:
            message += f": {reason}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(self.suggestions) + "?"
        super().__init__(message)


class GazetteerError(TripError, RuntimeError):
    """The offline gazetteer index cannot be built, opened or read."""


class GeocoderServiceError(TripError, ConnectionError):
    """An online geocoding service failed (timeout, HTTP error, bad answer)."""


class ExportError(TripError, RuntimeError):
    """An export could not be produced (e.g. no browser for a PNG snapshot)."""
