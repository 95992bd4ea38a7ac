"""Parsing untrusted XML (GPX and KML uploads) without the classic XML attacks.

GPX and KML never need a document type declaration, so any ``<!DOCTYPE`` is
refused before a tree is built: that stops entity-expansion bombs ("billion
laughs", quadratic blow-up) and external entities (local files, URLs) at the
door. The gatekeeper is :mod:`defusedxml` (``forbid_dtd=True``, entities and
external references forbidden); the tree handed to the format libraries is then
built by lxml with entity resolution, DTD loading, network access and the
huge-tree switch all off, so even a bug in the first step cannot fetch or expand
anything.
"""

from __future__ import annotations

import re
from typing import Any

import defusedxml
import defusedxml.ElementTree as safe_et
from lxml import etree

from ..errors import ExportError
from ..itinerary import Itinerary
from .fields import format_error, itinerary_header, stop_to_record

__all__ = ["parse_xml", "safe_parser", "check_xml", "check_xml_text"]

#: Characters a str may hold but XML 1.0 cannot (surrogates, U+FFFE, U+FFFF).
_NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def safe_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and never uses the network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def check_xml(data: bytes, *, label: str) -> None:
    """Raise :class:`FormatError` if ``data`` is not well-formed XML without a DTD."""
    try:
        safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise format_error(label, None, None,
                           "declares a DOCTYPE, which GPX and KML never need; refused so that "
                           "entities cannot expand or fetch files") from None
    except defusedxml.EntitiesForbidden as err:
        raise format_error(label, None, None,
                           f"declares the XML entity {err.name!r}; refused") from None
    except defusedxml.DefusedXmlException as err:
        raise format_error(label, None, None, f"uses a forbidden XML feature ({err})") from None
    except safe_et.ParseError as err:
        line, column = getattr(err, "position", (0, 0))
        raise format_error(label, None, None,
                           f"is not well-formed XML (line {line}, column {column + 1})") from None
    except (LookupError, ValueError) as err:  # e.g. <?xml encoding="no-such-charset"?>
        raise format_error(label, None, None, f"cannot be decoded ({err})") from None


def parse_xml(data: bytes, *, label: str) -> Any:
    """The root lxml element of ``data``, parsed safely (see the module docstring)."""
    check_xml(data, label=label)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as err:
        raise format_error(label, None, None, f"is not well-formed XML ({err.msg})") from None
    if root is None:
        raise format_error(label, None, None, "is empty")
    return root



def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    return []


def check_xml_text(itinerary: Itinerary) -> None:
    """Raise :class:`ExportError` naming the stop and field whose text XML cannot hold.

    The model accepts any non-control character, but XML 1.0 has no way to
    write a lone surrogate, U+FFFE or U+FFFF; failing with the place is kinder
    than a serialiser's stack trace.
    """
    checks = [("itinerary", itinerary_header(itinerary))]
    checks += [(f'stop {i + 1} "{s.name}"', stop_to_record(s)) for i, s in enumerate(itinerary.stops)]
    for where, record in checks:
        for key, value in record.items():
            for text in _texts(value):
                bad = _NOT_XML.search(text)
                if bad:
                    raise ExportError(
                        f'{where}, field "{key}": contains U+{ord(bad.group()):04X}, '
                        "a character XML cannot hold; remove it to export GPX or KML")
