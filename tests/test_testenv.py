"""The test run's own data directory: made fresh, and gone when the run ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INNER_TEST = '''
import os
from pathlib import Path

def test_writes_into_the_data_directory():
    data = Path(os.environ["PARKNEWS_DATA_DIR"])
    (data / "written-by-a-test").write_text("x")
    Path(os.environ["REPORT_TO"]).write_text(str(data))
'''


def _run_inner_suite(tmp_path: Path, env: dict[str, str]) -> Path:
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(INNER_TEST)
    report = tmp_path / "data-dir.txt"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(test_file),
         "--rootdir", str(ROOT), "-c", str(ROOT / "pytest.ini")],
        cwd=ROOT, env={**env, "REPORT_TO": str(report)}, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(report.read_text())


def test_the_data_directory_a_run_makes_is_removed_when_it_ends(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PARKNEWS_DATA_DIR"}
    used = _run_inner_suite(tmp_path, env)
    assert used.name.startswith("parknews-test-")
    assert not used.exists()


def test_a_data_directory_the_caller_chose_is_kept(tmp_path):
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    used = _run_inner_suite(tmp_path, {**os.environ, "PARKNEWS_DATA_DIR": str(chosen)})
    assert used == chosen
    assert (chosen / "written-by-a-test").exists()
