"""Hash one file: crypto hashes streamed, PDQ (+ 8 dihedral variants) for images, vPDQ for videos.

Only bytes go in and only hashes come out: nothing here keeps, copies or shows the media. Each failure is
returned as an `error` string on the record, never raised, so one bad file cannot stop a scan.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps

CHUNK = 1024 * 1024  # read size for streaming crypto hashes: memory stays flat for huge files
MAX_PIXELS = 100_000_000  # decode cap: larger images are refused with an error (decompression bombs)
LOW_QUALITY = 50  # Meta: "Quality Threshold where we recommend discarding hashes: <=49" (pdq/README.md)
# Order of pdqhash.compute_dihedral, the same as Meta's reference hasher.
DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flip_plus1", "flip_minus1")

# Content sniffing by magic bytes: the extension can lie, and non-images must never be decoded.
_IMAGE_MAGIC: tuple[tuple[int, bytes], ...] = (
    (0, b"\xff\xd8\xff"),  # JPEG
    (0, b"\x89PNG\r\n\x1a\n"),
    (0, b"GIF87a"),
    (0, b"GIF89a"),
    (0, b"BM"),
    (0, b"II*\x00"),  # TIFF little-endian
    (0, b"MM\x00*"),  # TIFF big-endian
    (8, b"WEBP"),
)
_VIDEO_MAGIC: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"),  # MP4, MOV, 3GP
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (8, b"AVI "),
    (0, b"FLV"),
)


@dataclass
class FileHashes:
    path: str  # relative to the scanned folder, '/' separated
    size: int
    kind: str  # image | video | other | error
    md5: str = ""
    sha1: str = ""
    sha256: str = ""
    pdq: str = ""  # the original orientation (EXIF orientation applied first)
    pdq_quality: int | None = None
    pdq_dihedral: list[str] = field(default_factory=list)  # 8 variants, DIHEDRAL order; [0] == pdq
    vpdq: list[str] = field(default_factory=list)  # "frame,quality,hex" per sampled frame
    error: str = ""

    @property
    def low_quality(self) -> bool:
        return self.pdq_quality is not None and self.pdq_quality < LOW_QUALITY


def sniff(head: bytes) -> str:
    for table, kind in ((_IMAGE_MAGIC, "image"), (_VIDEO_MAGIC, "video")):
        if any(head[off : off + len(magic)] == magic for off, magic in table):
            return kind
    return "other"


def crypto_hashes(path: Path) -> tuple[int, str, str, str, bytes]:
    """(size, md5, sha1, sha256, first 16 bytes), streaming the file once."""
    md5, sha1, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    size, head = 0, b""
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            if not head:
                head = block[:16]
            size += len(block)
            md5.update(block)
            sha1.update(block)
            sha256.update(block)
    return size, md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), head


def bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash's 256 0/1 values, most significant first, as Meta's 64-hex-digit form."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def image_array(path: Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode to an RGB uint8 array with EXIF orientation applied; refuses images above the cap."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(path)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ValueError(f"image exceeds the decode cap: {exc}") from exc
        with im:
            width, height = im.size
            if width * height > max_pixels:
                raise ValueError(f"image {width}x{height} exceeds the decode cap of {max_pixels} pixels")
            im.seek(0)  # first frame of animated GIF/WebP
            upright = ImageOps.exif_transpose(im)
            return np.asarray(upright.convert("RGB"))


def pdq_of_image(path: Path, max_pixels: int = MAX_PIXELS) -> tuple[list[str], int]:
    """(8 dihedral hex hashes, quality of the original)."""
    array = image_array(path, max_pixels)
    hashes, quality = pdqhash.compute_dihedral(array)  # one quality, shared by the 8 variants
    return [bits_to_hex(h) for h in hashes], int(quality)


def vpdq_of_video(path: Path, seconds_per_hash: float = 1.0) -> list[str]:
    import vpdq  # imported late: decoding video pulls in its own libraries

    features = vpdq.computeHash(str(path), seconds_per_hash=seconds_per_hash, thread_count=1)
    return [f"{f.frame_number},{f.quality},{f.hex}" for f in features]


def hash_file(root: Path, path: Path, max_pixels: int = MAX_PIXELS) -> FileHashes:
    """Every hash of one file. Never raises for a bad file: the problem goes into `error`."""
    rel = path.relative_to(root).as_posix()
    try:
        size, md5, sha1, sha256, head = crypto_hashes(path)
    except OSError as exc:
        return FileHashes(rel, _size_or_zero(path), "error", error=f"unreadable: {exc.strerror or exc}")
    record = FileHashes(rel, size, sniff(head), md5, sha1, sha256)
    if size == 0:
        record.error = "empty file"
        return record
    try:
        if record.kind == "image":
            record.pdq_dihedral, record.pdq_quality = pdq_of_image(path, max_pixels)
            record.pdq = record.pdq_dihedral[0]
        elif record.kind == "video":
            record.vpdq = vpdq_of_video(path)
            if not record.vpdq:
                record.error = "video: no frame could be decoded"
    except Exception as exc:  # any decoder failure is a property of this file: recorded, not raised
        record.error = f"{record.kind} decode failed: {type(exc).__name__}: {exc}"[:500]
    return record


def _size_or_zero(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
