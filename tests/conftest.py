"""Test configuration.

The model zoo in tests/models.py is importable as `models`. Under CI (CI=true) hypothesis runs
derandomized, so a landing never depends on the draw; local runs keep exploring new examples.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
