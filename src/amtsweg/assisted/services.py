"""The public surface of `amtsweg.assisted` for other apps (issue 13's kiosk mode, the API, the start page).

Sites, tours and appointments are changed only through these functions; see the modules for details.
"""

from __future__ import annotations

from amtsweg.assisted.booking import (  # noqa: F401
    AlreadyBooked,
    InvalidContact,
    LimitReached,
    NotChangeable,
    appointment_for_manage,
    book,
    cancel,
    confirm,
    manage_url,
    rebook,
    release_expired_holds,
)
from amtsweg.assisted.geo import haversine_km, in_saxony, order_route, road_km, saxony_error  # noqa: F401
from amtsweg.assisted.homevisits import HomeVisitError, accept, decline, request_visit  # noqa: F401
from amtsweg.assisted.mapdata import Filters, geojson, locations, upcoming_stops  # noqa: F401
from amtsweg.assisted.slots import (  # noqa: F401
    BookingError,
    NoSuchSlot,
    NotBookable,
    SlotInPast,
    SlotOffer,
    SlotOutsideWindow,
    SlotTaken,
    SlotTooSoon,
    check_slot,
    next_free,
    offers,
)
from amtsweg.assisted.tours import (  # noqa: F401
    TourError,
    add_stop,
    assign,
    cancel_stop,
    cancel_tour,
    create_tour,
    optimise,
    publish,
)
