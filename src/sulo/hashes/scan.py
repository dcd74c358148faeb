"""`sulo hashes scan`: walk a folder, hash every file in parallel, resumable after a kill.

Progress is checkpointed as JSON lines in `<out>.partial.jsonl` (one finished file per line, flushed as it
lands); a rerun skips every path already there and drops a half-written last line. When all files are done the
result is written to `<out>` (CSV or Parquet, by extension, docs/formats/hashes-scan.md) and the checkpoint is
removed. Symlinked directories are never followed (no loops); symlinked files are hashed through the link.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from pathlib import Path

from sulo.hashes.hashing import MAX_PIXELS, FileHashes, hash_file
from sulo.hashes.scanfile import write_scan

Progress = Callable[[str, int, int], None]


def _quiet(step: str, done: int, total: int) -> None:
    return None


def walk(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, problem) for every entry to record, sorted; problem is "" for a regular file to hash."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            if (here / name).is_symlink():
                yield here / name, "symlink to a directory: not followed"
        for name in sorted(filenames):
            path = here / name
            try:
                mode = os.stat(path).st_mode  # follows a file symlink; loops and dangling links raise
            except OSError as exc:
                yield path, f"unreadable: {exc.strerror or exc}"
                continue
            # FIFOs, sockets and devices would block or never end: never opened.
            yield path, "" if stat.S_ISREG(mode) else "not a regular file"


def checkpoint_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def load_checkpoint(path: Path) -> list[FileHashes]:
    """Finished records; a half-written last line (the kill landed mid-write) is cut off."""
    if not path.exists():
        return []
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with path.open("r+b") as fh:
            fh.truncate(len(complete))
    return [FileHashes(**json.loads(line)) for line in complete.splitlines() if line.strip()]


def scan(root: Path, out: Path, workers: int | None = None, progress: Progress = _quiet,
         max_pixels: int = MAX_PIXELS) -> list[FileHashes]:
    """Hash every file under root into out; resumes from out's checkpoint when there is one."""
    root = root.resolve()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    ckpt = checkpoint_path(out)
    done = {r.path: r for r in load_checkpoint(ckpt)}
    own = {out, ckpt, out.with_name(out.name + ".tmp")}  # the scan never hashes its own output
    entries = [(p, problem) for p, problem in walk(root) if p not in own]
    todo: list[Path] = []
    with ckpt.open("a", encoding="utf-8") as log:

        def record(r: FileHashes) -> None:
            if r.path in done:
                return
            done[r.path] = r
            log.write(json.dumps(asdict(r), ensure_ascii=True) + "\n")
            log.flush()
            progress("hashing", len(done), len(entries))

        for path, problem in entries:
            rel = path.relative_to(root).as_posix()
            if rel in done:
                continue
            if problem:
                record(FileHashes(rel, 0, "error", error=problem))
            else:
                todo.append(path)
        progress("hashing", len(done), len(entries))
        _hash_all(root, todo, workers or os.cpu_count() or 1, max_pixels, record)
    records = sorted(done.values(), key=lambda r: r.path)
    write_scan(records, out)
    ckpt.unlink()
    return records


def _hash_all(root: Path, todo: list[Path], workers: int, max_pixels: int,
              record: Callable[[FileHashes], None]) -> None:
    """Hash in a process pool with a bounded window; a crashed decoder costs only its own file."""
    window = workers * 4
    pending = list(reversed(todo))
    while pending:
        in_flight: dict[Future[FileHashes], Path] = {}
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                while pending or in_flight:
                    while pending and len(in_flight) < window:
                        path = pending.pop()
                        in_flight[pool.submit(hash_file, root, path, max_pixels)] = path
                    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        in_flight.pop(fut)
                        record(fut.result())
        except BrokenProcessPool:
            # A worker died (a decoder crash). Redo the files that were in flight one at a time so
            # the culprit is found and recorded, then carry on with a fresh pool.
            for path in in_flight.values():
                record(_isolated(root, path, max_pixels))


def _isolated(root: Path, path: Path, max_pixels: int) -> FileHashes:
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(hash_file, root, path, max_pixels).result()
    except BrokenProcessPool:
        rel = path.relative_to(root).as_posix()
        return FileHashes(rel, 0, "error", error="the decoder crashed on this file")
