# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The connection options every vapix.acap module shares (see plugins/module_utils/_module.py).
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - Name or IP address of the Axis device.
      - An IPv4 address, an IPv6 address (with or without brackets), or a DNS name (letters, digits, hyphens,
        underscores and dots; an international name in its ASCII form). Anything else, such as a scheme, a path, a port, C(@),
        C(?), C(#) or white space, is refused before any request is sent.
      - If not set, the value of the E(AXIS_HOSTNAME) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the device's web server.
      - Defaults to V(443) when O(use_https=true) and to V(80) otherwise.
      - Must be between V(1) and V(65535).
    type: int
  use_https:
    description:
      - Talk to the device over HTTPS.
      - With O(use_https=false) and O(auth_method=auto), the password is never sent in clear text (Basic
        authentication); the module fails if the device offers only Basic over plain HTTP.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the device's TLS certificate.
      - Axis devices ship a self-signed certificate; rather than turning verification off, give the CA that
        signed the device certificate in O(ca_path).
      - If not set, the value of the E(AXIS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file (or a directory prepared with C(c_rehash)) with the CA certificates to trust for
        the device's certificate, instead of the system's CA store.
      - Only used when O(validate_certs=true).
      - If not set, the value of the E(AXIS_CA_PATH) environment variable is used; an empty value means none.
      - A relative path is looked up in the folder of the playbook you run, then the folder of the host's
        inventory file, then the role's and the playbook's C(files/) folders (the collection's
        C(docs/fleet_guide.md), "Relative paths").
    type: path
  username:
    description:
      - Name of a device user with the administrator role (the Application API needs it).
      - If not set, the value of the E(AXIS_USERNAME) environment variable is used.
      - There is no default, since AXIS OS 12 devices do not necessarily have a C(root) user.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(AXIS_PASSWORD) environment variable is used.
    type: str
    required: true
  auth_method:
    description:
      - How to authenticate.
      - V(auto) sends the first request without credentials, reads the device's challenge and uses Digest
        when offered, otherwise Basic (Basic only over HTTPS).
      - V(digest) always uses Digest.
      - V(basic) sends Basic credentials with every request, also over plain HTTP.
    type: str
    choices: [auto, digest, basic]
    default: auto
  timeout:
    description:
      - Seconds to wait for the device's answer once connected (and for each further part of it).
      - Each request also has an overall deadline of O(connect_timeout) + O(timeout) seconds (for a package upload,
        plus the time to send the package at 64 KiB/s), so a device that trickles its answer cannot hold a task.
      - Package uploads are answered after installation; raise this value for large packages.
    type: float
    default: 30
  connect_timeout:
    description:
      - Seconds to wait for the device to accept the connection and, with O(use_https=true), to answer the TLS
        handshake.
      - Kept short so that a wrong address, a device that is off, or HTTPS sent to an HTTP port fails quickly.
    type: float
    default: 5
notes:
  - Requests that change nothing (listing applications, reading settings and device properties) are retried
    up to two times after a dropped connection or an HTTP 5xx answer, and once when the device accepted the
    connection but did not answer within O(timeout). Requests that change the device are never resent, except
    an upload the device refused with Error 12 (another upload in progress).
  - Credentials the device refuses are not sent again during the task, so a wrong password costs one rejected
    login per task.
  - Packages are streamed from disk; memory use does not grow with the package size.
requirements:
  - requests
  - lxml
"""
