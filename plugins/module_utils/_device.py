# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device facts and the firmware feature rules, in one place.

Parsers for param.cgi and basicdeviceinfo.cgi answers, the ``DeviceProperties``
they produce, and every "which firmware has what" rule the modules need
(config.cgi, AllowUnsigned, AllowRoot and their defaults, list.cgi, the limit
on running applications). Modules ask these functions; none hard-codes a
firmware number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._architecture import package_words
from ansible_collections.vapix.acap.plugins.module_utils._versions import version_at_least, version_in_range

# param.cgi parameters read for DeviceProperties (names without the "root." prefix).
PARAM_FIRMWARE_VERSION = "Properties.Firmware.Version"
PARAM_EMBEDDED_DEVELOPMENT_VERSION = "Properties.EmbeddedDevelopment.Version"
PARAM_SERIAL_NUMBER = "Properties.System.SerialNumber"
PARAM_ARCHITECTURE = "Properties.System.Architecture"
PARAM_PRODUCT = "Brand.ProdShortName"
DEVICE_PARAMETERS: Tuple[str, ...] = (
    PARAM_FIRMWARE_VERSION,
    PARAM_EMBEDDED_DEVELOPMENT_VERSION,
    PARAM_SERIAL_NUMBER,
    PARAM_ARCHITECTURE,
    PARAM_PRODUCT,
)

# The API's identification rules.
LIST_CGI_MIN_EMBEDDED_DEVELOPMENT = "1.20"
CONFIG_CGI_MIN_FIRMWARE = "11.2"


class SettingRule(NamedTuple):
    """A config.cgi setting: the firmware range that has it."""

    minimum: str
    maximum: Optional[str]  # last release line that has it, inclusive; None: still present


CONFIG_SETTINGS: Dict[str, SettingRule] = {
    "AllowUnsigned": SettingRule(minimum="11.2", maximum=None),
    "AllowRoot": SettingRule(minimum="11.5", maximum="11.11"),
}

# Module option -> config.cgi setting name.
SETTING_OPTIONS: Dict[str, str] = {
    "allow_unsigned": "AllowUnsigned",
    "allow_root": "AllowRoot",
}


@dataclass
class DeviceProperties:
    """What the modules need to know about a device. Unknown values are None."""

    firmware_version: Optional[str] = None
    embedded_development_version: Optional[str] = None
    serial_number: Optional[str] = None
    architecture: Optional[str] = None
    product: Optional[str] = None

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {
            "firmware_version": self.firmware_version,
            "embedded_development_version": self.embedded_development_version,
            "serial_number": self.serial_number,
            "architecture": self.architecture,
            "product": self.product,
        }

    def report(self) -> Dict[str, Any]:
        """The facts as modules return them: ``to_dict`` plus, from the architecture table, the package
        architecture words that fit this device (``mips`` -> ``mips``, ``mipsisa32r2el``, ``all``)."""
        facts: Dict[str, Any] = dict(self.to_dict())
        facts["package_architectures"] = package_words(self.architecture)
        return facts

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, str]) -> "DeviceProperties":
        """From ``parse_param_list`` output."""
        def text(key: str) -> Optional[str]:
            return (parameters.get(key) or "").strip() or None  # facts, not values to compare: trimmed

        return cls(
            firmware_version=text(PARAM_FIRMWARE_VERSION),
            embedded_development_version=text(PARAM_EMBEDDED_DEVELOPMENT_VERSION),
            serial_number=text(PARAM_SERIAL_NUMBER),
            architecture=text(PARAM_ARCHITECTURE),
            product=text(PARAM_PRODUCT),
        )

    @classmethod
    def from_basic_device_info(cls, property_list: Mapping[str, Any]) -> "DeviceProperties":
        """From basicdeviceinfo.cgi ``data.propertyList`` (it has no EmbeddedDevelopment version)."""

        def text(key: str) -> Optional[str]:
            value = property_list.get(key)
            return str(value) if value not in (None, "") else None

        return cls(
            firmware_version=text("Version"),
            serial_number=text("SerialNumber"),
            architecture=text("Architecture"),
            product=text("ProdShortName"),
        )


def parse_param_list(text: str) -> Dict[str, str]:
    """param.cgi ``action=list`` text: ``root.<path>=<value>`` lines -> {path: value}.

    Values are exact: each line is split on the first ``=`` (values may contain ``=``) and only the
    line ending is removed (a value may end with a blank). Lines are split on ``\\n`` only: a value
    read as ISO-8859-1 may hold characters ``str.splitlines`` would break on. The ``root.`` prefix is
    dropped; ``# Error:`` lines and blank lines are skipped (see ``param_list_errors``).
    """
    parameters: Dict[str, str] = {}
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        if key.startswith("root."):
            key = key[len("root."):]
        parameters[key] = value
    return parameters


def content_charset(content_type: str) -> Optional[str]:
    """The ``charset`` of a Content-Type header, lower case; None when it names none."""
    for item in content_type.split(";")[1:]:
        name, _separator, value = item.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"').lower()
    return None


def decode_param_text(body: bytes, content_type: str) -> Tuple[str, Optional[str]]:
    """A param.cgi body as text, and the charset it shows (None when it cannot tell: ASCII only).

    The Content-Type's charset when there is one; else strict UTF-8, else ISO-8859-1, the charset of
    real devices' param.cgi (a byte sequence that is not UTF-8 is ISO-8859-1 text)."""
    declared = content_charset(content_type)
    if declared:
        try:
            return body.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("iso-8859-1"), "iso-8859-1"
    return text, (None if all(ord(character) < 128 for character in text) else "utf-8")


def param_list_errors(text: str) -> List[str]:
    """The ``# Error: ...`` lines of a param.cgi answer."""
    return [line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip().startswith("# Error")]


def _known(check: Callable[[], bool]) -> Optional[bool]:
    """A firmware rule's answer, or None when a version the device reported cannot be read
    (``N/A``, a vendor build string): then nothing is refused locally, the device decides."""
    try:
        return check()
    except ValueError:
        return None


def firmware_has_config_cgi(firmware: str) -> Optional[bool]:
    return _known(lambda: version_at_least(firmware, CONFIG_CGI_MIN_FIRMWARE))


def embedded_development_has_list_cgi(embedded_development: str) -> Optional[bool]:
    return _known(lambda: version_at_least(embedded_development, LIST_CGI_MIN_EMBEDDED_DEVELOPMENT))


def config_setting_range(name: str) -> Tuple[str, Optional[str]]:
    """(first, last) AXIS OS release line with setting ``name``; last is None when still present."""
    rule = CONFIG_SETTINGS[name]
    return rule.minimum, rule.maximum


def describe_setting_range(name: str) -> str:
    """``"AXIS OS 11.5 to 11.11"`` or ``"AXIS OS 11.2 and later"``."""
    minimum, maximum = config_setting_range(name)
    if maximum is None:
        return "AXIS OS %s and later" % minimum
    return "AXIS OS %s to %s" % (minimum, maximum)


def firmware_supports_setting(firmware: str, name: str) -> Optional[bool]:
    """Whether firmware ``firmware`` has config.cgi setting ``name``; None when unreadable."""
    rule = CONFIG_SETTINGS.get(name)
    if rule is None:
        return False
    if rule.maximum is None:
        return _known(lambda: version_at_least(firmware, rule.minimum))
    maximum = rule.maximum
    return _known(lambda: version_in_range(firmware, rule.minimum, maximum))
