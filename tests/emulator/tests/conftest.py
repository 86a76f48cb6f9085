"""Fixtures of the emulator's own test suite."""

from __future__ import annotations

import sys
from pathlib import Path

EMULATOR_ROOT = Path(__file__).resolve().parents[1]
if str(EMULATOR_ROOT) not in sys.path:
    sys.path.insert(0, str(EMULATOR_ROOT))
