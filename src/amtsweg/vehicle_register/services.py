"""Public surface of the vehicle register component.

    from amtsweg.vehicle_register.services import get_register, checks

    register = get_register()                      # the configured implementation of
    interface.VehicleRegister
    record = register.lookup(plate="ERZ-AB 123")
    result = register.verify_codes(record.ref, SecurityCodes(zb1=..., seal_front=..., seal_rear=...),
                                   required=("zb1", "seal_front", "seal_rear"))

The built-in implementation is the SANDBOX register (fictional vehicles, `sandbox.SandboxRegister`); it runs
only
where `VEHICLE_REGISTER_SANDBOX` is on (demo and test mode by default). A production installation sets
`AMTSWEG_VEHICLE_REGISTER_BACKEND` to the dotted path of a class that connects to the real registers.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from amtsweg.vehicle_register import checks, conf, iban, plates, vin  # noqa: F401 (re-exported)
from amtsweg.vehicle_register.interface import (  # noqa: F401 (re-exported)
    CodesLocked,
    CodeVerification,
    Holder,
    InsuranceStatus,
    InvalidState,
    PlateUnavailable,
    RegisterError,
    RegisterResult,
    RegisterUnavailable,
    SecurityCodes,
    VehicleNotFound,
    VehicleRecord,
    VehicleRegister,
    VersionConflict,
)

_instances: dict[str, VehicleRegister] = {}


def get_register() -> VehicleRegister:
    """The configured register. Raises RegisterUnavailable (German) if none may run here."""
    path = conf.backend_path()
    if path == "sandbox":
        if not conf.sandbox_enabled():
            raise RegisterUnavailable(
                _(
                    "Das Fahrzeugregister ist nicht angebunden. Online-Anträge zur Zulassung sind derzeit "
                    "nicht möglich."
                )
            )
        path = "amtsweg.vehicle_register.sandbox.SandboxRegister"
    if path not in _instances:
        register = import_string(path)()
        if not isinstance(register, VehicleRegister):
            raise RegisterUnavailable(_("Das eingestellte Fahrzeugregister erfüllt die Schnittstelle nicht."))
        _instances[path] = register
    return _instances[path]


def district_plate_codes(district_ags: str) -> frozenset[str]:
    """The district codes (e.g. {"ERZ"}) new plates of a registration district start with."""
    from amtsweg.vehicle_register.sandbox import district_plate_codes as codes_for

    return codes_for(district_ags)
