"""The ingest's accuracy on the hand-made gold pages, through the shared scorer.

Needs ../shared (the gold and the scorer are not part of this project); skipped without.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import ROOT, SHARED
from tests.own_database import database_of_its_own

SCORER = SHARED / "tools" / "score_ingest.py"
THRESHOLDS = {
    "articles_recall": 0.95, "articles_precision": 0.95, "park": 1.0, "authors": 0.95,
    "title": 0.95, "boundaries": 0.90, "figures_recall": 0.90,
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SCORER.exists(), reason="../shared/tools/score_ingest.py not present"),
]


def test_the_seed_ingest_meets_the_gold_thresholds(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    call_command("export_archive", output=str(export), verbosity=0)
    run = subprocess.run(
        [sys.executable, str(SCORER), str(export)], capture_output=True, text=True, check=True
    )
    scores = dict(re.findall(r"(\w+)=([\d.]+)", run.stdout.splitlines()[-1]))
    for name, minimum in THRESHOLDS.items():
        assert float(scores[name]) >= minimum, (name, run.stdout)


DEV = SHARED / "dev"
# Issue 11: the development pages were never tuned on by the seed rules; these are the
# figures the segmenter must reach there (authors and figures have no dev gold).
DEV_THRESHOLDS = {
    "articles_recall": 0.95, "articles_precision": 0.95, "park": 0.95, "title": 0.95,
    "boundaries": 0.90,
}


@pytest.mark.skipif(
    not (DEV / "gold.json").exists(), reason="../shared/dev (pages and gold) not present"
)
def test_the_dev_pages_ingest_meets_the_thresholds(tmp_path: Path) -> None:
    """Ingest ../shared/dev/pages as a user would, in a data directory of its own, and
    score the export with the shared scorer."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    export = tmp_path / "export.json"
    env = {**os.environ, "PARKNEWS_DATA_DIR": str(tmp_path / "data")}
    with database_of_its_own(env, "dev") as env:
        for args in (["migrate", "-v0"], ["ingest", str(DEV / "pages")],
                     ["export_archive", "-o", str(export)]):
            subprocess.run(manage + args, env=env, check=True, capture_output=True, cwd=ROOT)
    run = subprocess.run(
        [sys.executable, str(SCORER), str(export), "--gold", str(DEV / "gold.json"),
         "--figures", str(tmp_path / "no-figure-gold.json"), "-v"],
        capture_output=True, text=True, check=True,
    )
    scores = dict(re.findall(r"(\w+)=([\d.]+)", run.stdout.splitlines()[-1]))
    for name, minimum in DEV_THRESHOLDS.items():
        assert float(scores[name]) >= minimum, (name, run.stdout)
