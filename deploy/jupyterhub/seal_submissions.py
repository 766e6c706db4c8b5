"""Seal each submission in nbgrader's exchange: read-only, owned by root, with a trusted timestamp.

A JupyterHub service of the course's hub (runs as root, next to the hub). nbgrader's filesystem
exchange leaves a submission owned by the student who wrote it, with a ``timestamp.txt`` and a
folder name the student's own process wrote: on its own it lets a student change a submitted file
after the deadline, or submit late with an early timestamp. Every few seconds this service takes
each new folder in the course's ``inbound/`` and

- checks it is a folder owned by the student its name starts with, holding no links (else it is
  moved to ``quarantine/``, where collect does not look);
- trusts the folder's timestamp only when it agrees with the latest change the student made (the
  files' ctime, which no user can set back) within ``--tolerance`` seconds; otherwise the
  timestamp becomes that latest change (in ``timestamp.txt`` and in the folder's name, which
  ``nbgrader collect`` reads);
- gives it to root and the instructor's group, read-only (dirs 0750, files 0640), and keeps the
  sticky bit on ``inbound/`` so no student can rename or remove a sealed submission.

A submission is sealed once nbgrader's submit has finished it (mode 0777, unchanged for 2 s),
or after ``--grace`` seconds whatever its state.
"""

from __future__ import annotations

import argparse
import os
import pwd
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format (UTC)


def _parse(text: str) -> float | None:
    try:
        return datetime.strptime(text.strip(), TIMESTAMP_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _format(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(TIMESTAMP_FORMAT)


def _entries(folder: Path) -> list[Path]:
    return [folder, *folder.rglob("*")]


def _quarantine(inbound: Path, entry: Path, reason: str) -> None:
    quarantine = inbound.parent / "quarantine"
    quarantine.mkdir(mode=0o700, exist_ok=True)
    os.chown(quarantine, inbound.stat().st_uid, inbound.stat().st_gid)
    destination = quarantine / f"{entry.name}.{int(time.time())}"
    os.rename(entry, destination)
    print(f"[seal] quarantined {entry.name}: {reason}", flush=True)


def seal_one(inbound: Path, entry: Path, tolerance: float) -> None:
    info = entry.lstat()
    parts = entry.name.split("+")
    if not stat.S_ISDIR(info.st_mode) or len(parts) < 3:
        return _quarantine(inbound, entry, "not an nbgrader submission folder")
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    if owner != parts[0]:
        return _quarantine(inbound, entry, f"named for {parts[0]!r} but written by {owner!r}")
    entries = _entries(entry)
    if any(path.is_symlink() or not (path.is_dir() or path.is_file()) for path in entries):
        return _quarantine(inbound, entry, "holds a link or a special file")
    last_change = max(path.lstat().st_ctime for path in entries)
    claimed = _parse(parts[2])
    stamp_file = entry / "timestamp.txt"
    if stamp_file.is_file() and claimed is not None and _parse(stamp_file.read_text()) != claimed:
        claimed = None  # the name and timestamp.txt disagree: neither is believed
    # ownership first: from here on the student can change nothing
    for path in entries:
        os.lchown(path, 0, inbound.stat().st_gid)
        path.chmod(0o750 if path.is_dir() else 0o640)
    if claimed is None or abs(claimed - last_change) > tolerance:
        trusted = _format(last_change)
        stamp_file.write_text(trusted)
        stamp_file.chmod(0o640)
        renamed = entry.with_name("+".join([parts[0], parts[1], trusted, *parts[3:]]))
        os.rename(entry, renamed)
        print(f"[seal] {entry.name}: timestamp replaced by the last change, {trusted}", flush=True)
        entry = renamed
    print(f"[seal] sealed {entry.name}", flush=True)
    return None


def seal_pending(inbound: Path, tolerance: float, grace: float) -> None:
    """One pass over ``inbound``: seal every finished submission not yet root's."""
    if not inbound.is_dir():
        return
    mode = inbound.stat().st_mode
    if not mode & stat.S_ISVTX:
        inbound.chmod(stat.S_IMODE(mode) | stat.S_ISVTX)
    now = time.time()
    for entry in inbound.iterdir():
        info = entry.lstat()
        if info.st_uid == 0:
            continue
        age = now - max(path.lstat().st_ctime for path in _entries(entry)) if entry.is_dir() \
            and not entry.is_symlink() else grace
        finished = stat.S_IMODE(info.st_mode) == 0o777 and age >= 2
        if finished or age >= grace:
            try:
                seal_one(inbound, entry, tolerance)
            except OSError as error:  # one odd folder never stops the others
                print(f"[seal] could not seal {entry.name}: {error}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbound", type=Path, required=True, help="EXCHANGE/<course_id>/inbound")
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--tolerance", type=float, default=120.0)
    parser.add_argument("--grace", type=float, default=60.0)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args(argv)
    while True:
        seal_pending(args.inbound, args.tolerance, args.grace)
        if args.once:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    raise SystemExit(main())
