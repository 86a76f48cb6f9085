# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which license key of a collection fits an application on a device: pure decisions.

From the keys a task names (``_key_collection``), the application as list.cgi reports it (``_xml``)
and the device's serial number: the keys that may be the application's (``candidate_keys``), the
one for this device (``_select``), the checks before an upload (``check_key_for_upload``), and
whether the key the device holds is better than the declared one (``device_key_is_better``). Nothing
here reads the device; the axis_acap_license planner (``_license``) asks and then decides with these.

No message built here contains a key's bytes: only a key's file name, product, productid, serial
number and expiry.
"""

from __future__ import annotations

import datetime
from typing import List, Optional, Sequence

from ansible_collections.vapix.acap.plugins.module_utils._errors import PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import (
    KeyCollection,
    ProductGroup,
    key_matches_application,
    no_key_message,
    pick_key,
    same_application_id,
)
from ansible_collections.vapix.acap.plugins.module_utils._license_key import LicenseKey, normalize_serial, parse_expiry
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

# list.cgi License values.
VALID = "Valid"
INVALID = "Invalid"
MISSING = "Missing"
CUSTOM = "Custom"
NOT_REQUIRED = "None"


def describe_application(application: Application) -> str:
    if application.application_id:
        return "%s (ApplicationID %s)" % (application.name, application.application_id)
    return application.name


def describe_key(key: LicenseKey) -> str:
    where = "given in content" if key.source == "content" else "file %s" % key.source
    return "license key %s (product %s, productid %s, serial number %s, expires %s)" % (
        where,
        key.product,
        key.productid if key.productid is not None else "not given",
        key.serial_number,
        _instant(key.expires_at) if key.expires_at else "never",
    )


def device_expiry(application: Application) -> Optional[datetime.date]:
    """LicenseExpirationDate as a date; None when absent or unreadable (then a
    key with an expiry is treated as different and uploaded)."""
    text = application.license_expiration_date
    if not text:
        return None
    try:
        return parse_expiry(text)[0]
    except ValueError:
        return None


def check_key_matches_application(key: LicenseKey, application: Application) -> None:
    """The key's productid must be the application's ApplicationID where both are known. The product
    name is not checked: one public sample is all that says it is the short name, so the device
    judges it (license.cgi Error 25/26). Local: needs no request."""
    if not same_application_id(key.productid, application.application_id):
        raise PreflightError(
            "The %s is not for the installed application %s. Use the key Axis issued for this "
            "application." % (describe_key(key), describe_application(application))
        )


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def check_key_for_upload(key: LicenseKey, application: Application, serial_number: str, now: datetime.datetime) -> None:
    """Everything that can be checked before an upload, from the key and the device's facts."""
    check_key_matches_application(key, application)
    device_serial = normalize_serial(serial_number)
    if key.serial_number != device_serial:
        raise PreflightError(
            "The %s is for another device: this device's serial number is %s. License keys are "
            "issued per device; use the key for serial number %s." % (describe_key(key), device_serial, device_serial)
        )
    if key.is_expired(now):
        raise PreflightError(
            "The %s has expired (it is now %s). Get a new key from Axis's license portal."
            % (describe_key(key), _instant(now))
        )


def candidate_keys(keys: KeyCollection, application: Application) -> List[ProductGroup]:
    """A summary of the keys that may be this application's, per (product, productid). A single key
    (file or content) that names another application is an error at once; a directory is filtered,
    and holding no key for the application is an error."""
    if keys.single:
        check_key_matches_application(keys.only_key, application)
        return list(keys.groups)
    matching = keys.groups_for(application.name, application.application_id)
    if not matching:
        products = sorted({"%s (productid %s)" % (group.product, group.productid) for group in keys.groups})
        message = "No license key for application %s in %s. %d key file(s) could be read%s." % (
            describe_application(application),
            keys.origin,
            keys.count,
            (", for: " + ", ".join(products[:10]) + (" ..." if len(products) > 10 else "")) if products else "",
        )
        if keys.problems:
            message += " Unreadable: %s." % keys.describe_problems()
        raise PreflightError(message + " Put the keys Axis issued for this application there.")
    return matching


def _all_expire_on(groups: Sequence[ProductGroup], installed: Optional[datetime.date]) -> bool:
    """Every candidate key expires on the date the device's key does (None: neither expires)."""
    wanted = installed.isoformat() if installed is not None else None
    return all(group.expiries is not None and set(group.expiries) == {wanted} for group in groups)


def _device_key_beats_all(application: Application, groups: Sequence[ProductGroup]) -> bool:
    """``device_key_is_better`` for every candidate key, from the summary."""
    if any(group.never for group in groups):
        return False
    if not application.license_expiration_date:
        return True
    installed = device_expiry(application)
    latest = max(group.latest or "" for group in groups)
    return installed is not None and installed.isoformat() > latest


def device_key_is_better(application: Application, key: LicenseKey) -> bool:
    """The key installed now (list.cgi Valid) expires later than ``key``, or never. An unreadable
    LicenseExpirationDate is not "better": the declared key is uploaded."""
    if key.expires is None:
        return False
    if not application.license_expiration_date:
        return True  # Valid without an expiry date: a key that never expires
    installed = device_expiry(application)
    return installed is not None and installed > key.expires


def _better_key_warning(application: Application, key: LicenseKey) -> str:
    installed = application.license_expiration_date or "never"
    return (
        "%s: the device's license key (valid, expires %s) is better than the declared %s, so it is kept. "
        "Use force: true to replace it anyway." % (application.name, installed, describe_key(key))
    )


def _unknowable_status_warning(application: Application, verb: str) -> str:
    status = application.license
    if status == NOT_REQUIRED:
        why = "the application needs no license (list.cgi reports License=None)"
    elif status == CUSTOM:
        why = "the application uses its own licensing, so the device cannot report a key's status (License=Custom)"
    else:
        why = "list.cgi reports no known license status (License=%s)" % status
    return "No license key %s for %s: %s. Use force=true to send it anyway." % (verb, application.name, why)


def _select(keys: KeyCollection, serial_number: str, application: Application) -> LicenseKey:
    if keys.single:
        return keys.only_key  # its serial number is checked before upload, with a precise message
    candidates = [key for key in keys.for_serial(serial_number)
                  if key_matches_application(key, application.name, application.application_id)]
    key = pick_key(candidates, serial_number)
    if key is None:
        raise PreflightError(no_key_message(keys, serial_number, application.name))
    return key
