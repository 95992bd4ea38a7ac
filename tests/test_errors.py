"""The error tree: every leaf is a TripError and the built-in it resembles."""

from __future__ import annotations

import pytest

from trip import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ValidationError, ValueError),
        (errors.FormatError, ValueError),
        (errors.FileTooLarge, ValueError),
        (errors.QueryError, ValueError),
        (errors.PlaceNotFound, LookupError),
        (errors.GazetteerError, RuntimeError),
        (errors.GeocoderServiceError, ConnectionError),
        (errors.ExportError, RuntimeError),
    ],
)
def test_leaves_derive_from_trip_error_and_builtin(cls, builtin):
    assert issubclass(cls, errors.TripError)
    assert issubclass(cls, builtin)


def test_validation_message_names_row_column_and_value():
    err = errors.ValidationError("is not a date (expected YYYY-MM-DD)", field="date", value="Sept 31", row=4)
    assert str(err) == 'row 4, column "date": "Sept 31" is not a date (expected YYYY-MM-DD)'
    assert (err.row, err.field, err.value) == (4, "date", "Sept 31")


def test_at_row_keeps_class_and_places_the_error():
    err = errors.FormatError("is required", field="place", show_value=False)
    placed = err.at_row(7)
    assert type(placed) is errors.FormatError
    assert str(placed) == 'row 7, column "place": is required'


def test_long_values_are_shortened_in_messages():
    err = errors.ValidationError("is bad", field="note", value="x" * 500)
    assert len(str(err)) < 120 and "…" in str(err)


def test_place_not_found_lists_suggestions():
    err = errors.PlaceNotFound("Vladivostock", reason="no exact match", suggestions=["Vladivostok"])
    assert "did you mean Vladivostok?" in str(err)
    assert err.suggestions == ("Vladivostok",)


def test_tree_is_drawn_in_module_docstring():
    for name in errors.__all__:
        assert name in errors.__doc__
