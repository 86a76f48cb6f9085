"""A VAPIX Application API device emulator: virtual Axis cameras over real HTTP on loopback.

Start it with ``PYTHONPATH=tests/emulator python -m vapix_emulator serve`` (see docs/emulator.md).
It is an independent reading of the Application API page and of acap-formats.md: it shares no code
with the collection's plugins, so a test that passes shows that two readings of the spec agree.
"""

__version__ = "1.0.0"
