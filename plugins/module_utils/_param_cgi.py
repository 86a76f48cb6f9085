# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The calls of param.cgi and basicdeviceinfo.cgi: the device's properties, applications' parameters
read (values exact, in the device's charset), their definitions, and updates
(docs/axis_acap_parameters.md).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.module_utils._device import (
    DEVICE_PARAMETERS,
    DeviceProperties,
    decode_param_text,
    param_list_errors,
    parse_param_list,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    AuthenticationError,
    DeviceError,
    DeviceUnreachableError,
    TlsError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import (
    ParameterType,
    parse_parameter_definitions,
)
from ansible_collections.vapix.acap.plugins.module_utils._reply_checks import DEVICE_ERROR_BODY
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import DocumentTypeRefused, MalformedXml
from ansible_collections.vapix.acap.plugins.module_utils._session import VapixSession
from ansible_collections.vapix.acap.plugins.module_utils._transport import Reply
from ansible_collections.vapix.acap.plugins.module_utils._xml import body_snippet

# param.cgi's charset when the device has not shown another one: that of real devices.
DEFAULT_PARAM_CHARSET = "iso-8859-1"


class ParamCgiCalls(VapixSession):
    """param.cgi and basicdeviceinfo.cgi of one device, and the charset its param.cgi answers in."""

    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__(settings)
        # The charset param.cgi answers in, once an answer has shown it (docs/axis_acap_parameters.md).
        self.param_charset: Optional[str] = None

    def get_device_properties(self) -> DeviceProperties:
        """param.cgi list of the properties; basicdeviceinfo.cgi when param.cgi fails or lacks the firmware."""
        param_error: Optional[AcapError] = None
        properties = DeviceProperties()
        try:
            properties = self._read("param.cgi", self._read_param_cgi)
        except (AuthenticationError, TlsError, DeviceUnreachableError):
            raise  # the device or the credentials are the problem; another CGI will not help
        except AcapError as exc:
            param_error = exc
        if properties.firmware_version:
            return properties
        try:
            fallback = self._read("basicdeviceinfo.cgi", self._read_basic_device_info)
        except (AuthenticationError, TlsError, DeviceUnreachableError):
            raise
        except AcapError as exc:
            if param_error is None:
                return properties  # param.cgi answered, only without a firmware version: keep what it gave
            raise type(param_error)(
                "Could not read the device properties of %s: %s; the fallback basicdeviceinfo.cgi "
                "failed too: %s" % (self.settings.address, param_error, exc),
                error_code=param_error.error_code,
                http_status=param_error.http_status,
                endpoint="param.cgi",
            ) from None
        for name, value in properties.to_dict().items():
            if value and not getattr(fallback, name):
                setattr(fallback, name, value)
        return fallback

    def get_parameters(self, group: str) -> Dict[str, str]:
        """param.cgi action=list of ``group`` (``root.<App>``; several joined by commas) ->
        {path without ``root.``: value}, values exact, decoded in the device's charset. Groups the
        device does not have are left out; an answer with no parameter and only ``# Error`` lines (no
        such group, whatever the HTTP status) raises ``DeviceError``."""
        def read() -> Dict[str, str]:
            response = self._send("GET", "param.cgi", params={"action": "list", "group": group})
            self._reject_html(response, "param.cgi")
            text = self._param_text(response)
            parameters = parse_param_list(text)
            if parameters or not text.strip():
                return parameters
            errors = param_list_errors(text)
            if errors:
                raise DeviceError(
                    "param.cgi has no parameter group %s (it answered: %s)" % (group, "; ".join(errors)),
                    http_status=response.status_code,
                    endpoint="param.cgi",
                )
            raise UnexpectedResponseError(
                "param.cgi answered the list of %s with neither parameters nor # Error (body starts with: %s)"
                % (group, body_snippet(response.content)),
                http_status=response.status_code,
                endpoint="param.cgi",
            )

        return self._read("param.cgi", read)

    def get_parameter_definitions(self, group: str) -> Optional[Dict[str, ParameterType]]:
        """param.cgi action=listdefinitions (listformat=xmlschema) of ``group`` -> {path without
        ``root.``: type}; None when the firmware does not support it (it answers ``# Error``)."""
        def read() -> Optional[Dict[str, ParameterType]]:
            response = self._send("GET", "param.cgi", params={
                "action": "listdefinitions", "listformat": "xmlschema", "group": group})
            self._reject_html(response, "param.cgi")
            if DEVICE_ERROR_BODY.match(response.content[:64]):
                return None
            try:
                return parse_parameter_definitions(response.content)
            except (MalformedXml, DocumentTypeRefused) as exc:
                raise UnexpectedResponseError(
                    "param.cgi answered listdefinitions of %s with something that is not the definitions' XML (%s; "
                    "body starts with: %s)" % (group, exc, body_snippet(response.content)),
                    http_status=response.status_code,
                    endpoint="param.cgi",
                ) from None

        return self._read("param.cgi", read)

    @property
    def param_write_charset(self) -> str:
        """The charset param.cgi updates are sent in: the one the device's answers showed, else ISO-8859-1."""
        return self.param_charset or DEFAULT_PARAM_CHARSET

    def update_parameters(self, values: Dict[str, str]) -> List[str]:
        """param.cgi action=update of all ``values`` ({``root.<App>.<Name>`` or ``<App>.<Name>``: text})
        in one POST, encoded in the device's charset. Returns the ``# Error`` lines of the answer
        (empty on ``OK``): a device refuses per parameter and applies the others, so only a read
        tells what it holds. Never retried."""
        charset = self.param_write_charset
        form: Dict[str, Any] = {"action": "update"}
        form.update({(key if key.startswith("root.") else "root." + key).encode(charset): value.encode(charset)
                     for key, value in values.items()})
        response = self._send("POST", "param.cgi", form=form)
        self._reject_html(response, "param.cgi")
        text = self._param_text(response).strip()
        if text.startswith("OK"):
            return []
        errors = param_list_errors(text)
        if errors:
            return errors
        raise UnexpectedResponseError(
            "%s answered param.cgi update with neither OK nor # Error (body starts with: %s); the answer may "
            "have been cut off" % (self.settings.address, body_snippet(response.content)),
            http_status=response.status_code,
            endpoint="param.cgi",
        )

    def _param_text(self, response: Reply) -> str:
        text, charset = decode_param_text(response.content, response.headers.get("Content-Type", ""))
        if charset and self.param_charset is None:
            self.param_charset = charset
        return text

    def _read_param_cgi(self) -> DeviceProperties:
        reply = self._send(
            "GET",
            "param.cgi",
            params={"action": "list", "group": ",".join(DEVICE_PARAMETERS)},
        )
        self._reject_html(reply, "param.cgi")
        text = self._param_text(reply)
        parameters = parse_param_list(text)
        if not parameters:
            errors = param_list_errors(text)
            raise UnexpectedResponseError(
                "param.cgi answered no parameters (%s)" % ("; ".join(errors) if errors else body_snippet(reply.content)),
                http_status=reply.status_code,
                endpoint="param.cgi",
            )
        return DeviceProperties.from_parameters(parameters)

    def _read_basic_device_info(self) -> DeviceProperties:
        reply = self._send(
            "POST",
            "basicdeviceinfo.cgi",
            json={"apiVersion": "1.0", "method": "getAllProperties"},
        )
        self._reject_html(reply, "basicdeviceinfo.cgi")
        try:
            document = reply.json()
        except ValueError:
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered something that is not JSON (body starts with: %s)"
                % body_snippet(reply.content),
                http_status=reply.status_code,
                endpoint="basicdeviceinfo.cgi",
            ) from None
        if isinstance(document, dict) and isinstance(document.get("error"), dict):
            error = document["error"]
            raise DeviceError(
                "basicdeviceinfo.cgi answered error %s: %s" % (error.get("code"), error.get("message")),
                error_code=error.get("code") if isinstance(error.get("code"), int) else None,
                http_status=reply.status_code,
                endpoint="basicdeviceinfo.cgi",
            )
        try:
            property_list = document["data"]["propertyList"]
            if not isinstance(property_list, dict):
                raise TypeError
        except (KeyError, TypeError):
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered JSON without data.propertyList (%s)" % body_snippet(reply.content),
                http_status=reply.status_code,
                endpoint="basicdeviceinfo.cgi",
            ) from None
        return DeviceProperties.from_basic_device_info(property_list)
