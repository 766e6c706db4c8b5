"""The hub's sealing service (deploy/jupyterhub/seal_submissions.py) on a folder of its own, without a
hub: what it trusts of a submission's timestamp, and what it quarantines. Sealing gives folders to root,
so this runs as root (as CI does); tests/system/test_hub.py checks it on a real hub."""

from __future__ import annotations

import importlib.util
import os
import time

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sealing gives submissions to root: run as root")


def _module():
    path = REPO / "deploy" / "jupyterhub" / "seal_submissions.py"
    spec = importlib.util.spec_from_file_location("seal_submissions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def inbound(tmp_path):
    folder = tmp_path / "course" / "inbound"
    folder.mkdir(parents=True)
    return folder


def _submission(inbound, owner: str, claimed: float, stamp: float | None = None):
    seal = _module()
    folder = inbound / f"{owner}+02-validation+{seal._format(claimed)}+abc123"
    folder.mkdir()
    (folder / "validation.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text(seal._format(claimed if stamp is None else stamp))
    return folder


def test_an_honest_timestamp_is_kept_and_the_folder_is_read_only(inbound):
    """Check that a timestamp within the tolerance of the files' last change stays, and the folder becomes 0750/0640."""
    seal = _module()
    folder = _submission(inbound, "root", time.time())
    seal.seal_one(inbound, folder, tolerance=120)
    assert folder.exists() and oct(folder.stat().st_mode & 0o777) == "0o750"
    assert oct((folder / "validation.ipynb").stat().st_mode & 0o777) == "0o640"


def test_an_early_timestamp_becomes_the_time_of_the_last_change(inbound):
    """Check that a folder claiming a time a day early is renamed, and its timestamp.txt rewritten, to its ctime."""
    seal = _module()
    folder = _submission(inbound, "root", time.time() - 86400)
    seal.seal_one(inbound, folder, tolerance=120)
    (sealed,) = list(inbound.iterdir())
    stamp = seal._parse((sealed / "timestamp.txt").read_text())
    assert sealed != folder and abs(stamp - time.time()) < 60
    assert sealed.name.split("+")[2] == (sealed / "timestamp.txt").read_text()


def test_a_name_and_timestamp_that_disagree_are_neither_believed(inbound):
    """Check that timestamp.txt differing from the folder's name gets the last change's time."""
    seal = _module()
    now = time.time()
    folder = _submission(inbound, "root", now, stamp=now - 3600)
    seal.seal_one(inbound, folder, tolerance=120)
    (sealed,) = list(inbound.iterdir())
    assert abs(seal._parse((sealed / "timestamp.txt").read_text()) - now) < 60


@pytest.mark.parametrize("problem", ["another-student", "link"])
def test_a_submission_in_another_name_or_with_a_link_is_quarantined(inbound, problem):
    """Check that a folder named for a user who did not write it, or holding a link, goes to quarantine/."""
    seal = _module()
    folder = _submission(inbound, "alice" if problem == "another-student" else "root", time.time())
    if problem == "link":
        os.symlink("/etc/shadow", folder / "notes.txt")
    seal.seal_one(inbound, folder, tolerance=120)
    assert not list(inbound.iterdir())
    assert [p.name.split(".")[0] for p in (inbound.parent / "quarantine").iterdir()] == [folder.name.split(".")[0]]
