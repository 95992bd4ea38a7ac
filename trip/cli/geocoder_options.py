"""``--geocoder`` and friends: the opt-in online geocoder for the subcommands that look places up.

Offline is the default; nothing here opens a socket unless ``--geocoder`` names a
service. The ``TRIP_GEOCODER_USER_AGENT``, ``TRIP_GEOCODER_URL``,
``TRIP_GEOCODER_TIMEOUT`` and ``TRIP_GEOCODER_API_KEY`` variables fill in what the
flags leave out; ``TRIP_GEOCODER`` alone does not take the CLI online.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from ..errors import ValidationError

__all__ = ["add_geocoder_options", "online_geocoder_from", "is_online"]

OFFLINE_NAMES = ("offline", "none", "off")


def add_geocoder_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "online geocoding", "opt-in: by default places are looked up offline and nothing is sent anywhere")
    group.add_argument("--geocoder", metavar="NAME", default="offline",
                       help="offline (default), or a geopy service to ask online: nominatim, photon, "
                            "pelias, … (the offline gazetteer answers when the service fails)")
    group.add_argument("--user-agent", metavar="TEXT", default=None,
                       help="how trip introduces itself to the service; the public Nominatim requires "
                            "one naming your application and a contact, e.g. \"my-trips/1.0 (me@example.org)\" "
                            "(default: $TRIP_GEOCODER_USER_AGENT)")
    group.add_argument("--geocoder-url", metavar="URL", default=None,
                       help="base URL of your own server for the service, e.g. http://127.0.0.1:8080 "
                            "(default: $TRIP_GEOCODER_URL, else the service's public address)")
    group.add_argument("--online-cache", metavar="PATH", default=None,
                       help="SQLite file keeping the service's answers (default: geocode-online.sqlite "
                            "in the cache folder)")


def is_online(args: argparse.Namespace) -> bool:
    return (getattr(args, "geocoder", "offline") or "offline").strip().lower() not in OFFLINE_NAMES


def _public_nominatim(service: str, url: str | None) -> bool:
    from ..geocoding.online import NOMINATIM_PUBLIC_DOMAIN

    if service != "nominatim":
        return False
    return not url or (urlsplit(url).hostname or "").lower() == NOMINATIM_PUBLIC_DOMAIN


def online_geocoder_from(args: argparse.Namespace, *, fallback: Callable[[], Any],
                         env: Mapping[str, str] | None = None) -> Any | None:
    """The online geocoder ``--geocoder`` names, or None for the caller's offline one.

    Checks every flag before anything is opened or sent: an unknown service
    lists the valid ones; the public Nominatim without a user agent is refused
    (its usage policy asks every application to identify itself); online-only
    flags without ``--geocoder`` say so. When the service fails, the online
    geocoder answers with ``fallback()`` (built only then).
    """
    env = os.environ if env is None else env
    if not is_online(args):
        for flag, value in (("--user-agent", args.user_agent), ("--geocoder-url", args.geocoder_url),
                            ("--online-cache", args.online_cache)):
            if value is not None:
                raise ValidationError("only applies with --geocoder NAME (places are looked up offline "
                                      "unless you name an online service)", field=flag, value=value)
        return None

    from ..geocoding.cache import GeocodeCache
    from ..geocoding.online import (ENV_API_KEY, ENV_TIMEOUT, ENV_URL, ENV_USER_AGENT, check_service_name,
                                    online_geocoder)

    service = check_service_name(args.geocoder)
    user_agent = (args.user_agent if args.user_agent is not None else env.get(ENV_USER_AGENT, "")).strip()
    url = args.geocoder_url or env.get(ENV_URL) or None
    if _public_nominatim(service, url) and not user_agent:
        raise ValidationError(
            "needs --user-agent (or TRIP_GEOCODER_USER_AGENT) for the public Nominatim: its usage policy "
            'asks each application to identify itself, e.g. --user-agent "my-trips/1.0 (me@example.org)"',
            field="--geocoder", value=args.geocoder)
    timeout_text = env.get(ENV_TIMEOUT) or "10"
    try:
        timeout_s = float(timeout_text)
    except ValueError:
        raise ValidationError("is not a number of seconds", field=ENV_TIMEOUT, value=timeout_text) from None
    cache: Any = True
    if args.online_cache:
        folder = Path(args.online_cache).expanduser().resolve().parent
        if not folder.is_dir():
            raise ValidationError("is in a folder that does not exist", field="--online-cache",
                                  value=args.online_cache)
        cache = GeocodeCache(Path(args.online_cache).expanduser())
    return online_geocoder(service, user_agent=user_agent or None, base_url=url,
                           api_key=env.get(ENV_API_KEY) or None, timeout_s=timeout_s,
                           cache=cache, fallback=fallback)
