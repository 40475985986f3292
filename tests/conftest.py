"""Test configuration: the model zoo in tests/models.py is importable as `models`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
