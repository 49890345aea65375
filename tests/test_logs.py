"""compiler/logs.py: the command line's log set-up waits until something logs."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

DEFERRED = """
import sys
from compiler import logs
logs.configure(logs.WARNING)
assert "logging" not in sys.modules and logs.level() == logs.WARNING
logs.set_level(logs.INFO)  # -v after the command
assert "logging" not in sys.modules and logs.level() == logs.INFO
logs.logger("policyc.test").info("shown at %s", "INFO")
import logging
assert logging.getLogger().level == logging.INFO and logs.level() == logging.INFO
logs.set_level(logs.ERROR)  # logging is loaded now: applied at once
assert logging.getLogger().level == logging.ERROR
logging.getLogger("policyc.test").warning("not shown")
logging.getLogger("policyc.test").error("shown")
"""

AT_ONCE = """
import logging, sys
from compiler import logs
logs.configure(logs.ERROR)  # logging loaded: basicConfig at once
assert logging.getLogger().level == logging.ERROR and logs.level() == logging.ERROR
logging.getLogger("x").error("formatted")
"""


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return proc.stderr


def test_setup_waits_for_the_first_logger_and_is_then_as_before() -> None:
    assert _run(DEFERRED).splitlines() == ["INFO: shown at INFO", "ERROR: shown"]
    assert _run(AT_ONCE).splitlines() == ["ERROR: formatted"]
