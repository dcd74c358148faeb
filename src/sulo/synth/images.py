"""Benign images (noise, shapes, text) and the hash lists that mark some of them "known".

Nothing here is or depicts abuse: images are random noise, coloured shapes and short text. Hash lists copy
the layouts of the real list formats (Project VIC JSON, NCMEC-style CSV, ThreatExchange PDQ CSV) with
category codes only. Some PDQ entries hash the image after a benign edit (rotate, flip, resize, recompress),
as lists built from a different copy of the same picture do; truth/image_known.csv records the edit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw

CATEGORIES = ["A1", "A2", "B1", "B2"]
# Project VIC numeric categories: 1 = child abuse material (A*), 2 = child exploitive (B*).
VICS_CATEGORY = {"A1": 1, "A2": 1, "B1": 2, "B2": 2}
TRANSFORMS = ["rotate90", "flip", "resize", "recompress"]
WORDS = ["HELLO", "SULO", "TEST", "SUNSET", "MANGO", "OCEAN", "LIGHT", "BLUE", "KOPI", "SALAMAT"]


@dataclass(frozen=True, slots=True)
class ImageRecord:
    file_name: str
    md5: str
    sha1: str
    pdq: str  # PDQ of the file as stored in images/
    size: int
    known: bool
    lists: tuple[str, ...]  # which lists carry it: vics, ncmec, pdq
    category: str
    transform: str  # the edit applied before the PDQ list entry was hashed ("none" when unedited)
    listed_pdq: str  # the PDQ written to known-pdq.csv (differs from pdq when transformed)
    listed_quality: int
    viral: bool


def pdq_hex(image: Image.Image) -> tuple[str, int]:
    """PDQ hash as 64 hex digits, first bit most significant (as threatexchange's pdq_hasher)."""
    vector, quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex(), int(quality)


def _draw(rng: random.Random, index: int) -> Image.Image:
    width, height = rng.choice([(96, 96), (128, 96), (128, 128), (160, 120)])
    style = index % 3
    if style == 0:  # smooth noise: random low-resolution field, upscaled (PDQ needs structure)
        gen = np.random.default_rng(rng.getrandbits(32))
        small = gen.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
        return Image.fromarray(small).resize((width, height), Image.Resampling.BILINEAR)
    image = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(3, 7)):
        box = sorted(rng.sample(range(width), 2)), sorted(rng.sample(range(height), 2))
        xy = (box[0][0], box[1][0], box[0][1], box[1][1])
        color = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(xy, fill=color)
    if style == 2:
        draw.text((8, height // 2 - 6), f"{rng.choice(WORDS)} {index}", fill=(255, 255, 255))
    return image


def _encode(image: Image.Image, fmt: str, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=quality, optimize=False)
    else:
        image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _transform(image: Image.Image, edit: str) -> Image.Image:
    if edit == "rotate90":
        return image.transpose(Image.Transpose.ROTATE_90)
    if edit == "flip":
        return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if edit == "resize":
        return image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.Resampling.BILINEAR)
    return Image.open(io.BytesIO(_encode(image, "JPEG", quality=40))).convert("RGB")


def make_images(out: Path, rng: random.Random, count: int, known_share: float = 0.4) -> list[ImageRecord]:
    """Write `count` images under out/images and return their records (hashes, known flags, edits)."""
    folder = out / "images"
    folder.mkdir(parents=True, exist_ok=True)
    records: list[ImageRecord] = []
    for index in range(count):
        image = _draw(rng, index)
        fmt = "PNG" if index % 2 == 0 else "JPEG"
        data = _encode(image, fmt)
        name = f"img-{index + 1:05d}.{'png' if fmt == 'PNG' else 'jpg'}"
        (folder / name).write_bytes(data)
        stored = Image.open(io.BytesIO(data)).convert("RGB")
        pdq, quality = pdq_hex(stored)
        known = rng.random() < known_share
        lists: tuple[str, ...] = ()
        edit, listed, listed_quality = "none", pdq, quality
        if known:
            lists = tuple(sorted(rng.sample(["vics", "ncmec", "pdq"], rng.randint(1, 3))))
            if "pdq" in lists and rng.random() < 0.4:
                edit = rng.choice(TRANSFORMS)
                listed, listed_quality = pdq_hex(_transform(stored, edit))
        records.append(ImageRecord(
            name, hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), pdq, len(data),  # noqa: S324
            known, lists, rng.choice(CATEGORIES) if known else "", edit, listed, listed_quality, False))
    return _mark_viral(records, rng)


def _mark_viral(records: list[ImageRecord], rng: random.Random) -> list[ImageRecord]:
    """A few known images become the viral items that many unrelated users share."""
    known = [i for i, r in enumerate(records) if r.known]
    viral = set(rng.sample(known, max(1, min(len(known) // 8, 12))))
    return [replace(rec, viral=True) if i in viral else rec for i, rec in enumerate(records)]


def write_hash_lists(out: Path, records: list[ImageRecord]) -> None:
    """known-vics.json, known-ncmec.csv, known-pdq.csv under out/hashlists."""
    folder = out / "hashlists"
    folder.mkdir(parents=True, exist_ok=True)
    vics = [r for r in records if "vics" in r.lists]
    media = [{"MediaID": i + 1, "Category": VICS_CATEGORY[r.category], "MD5": r.md5.upper(),
              "SHA1": r.sha1.upper(), "MediaSize": r.size, "IsPrecategorized": True, "VictimIdentified": False,
              "Tags": [r.category], "MediaFiles": [{"FileName": r.file_name, "MD5": r.md5.upper(),
                                                    "SHA1": r.sha1.upper(), "FileSize": r.size}]}
             for i, r in enumerate(vics)]
    doc = {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media", "value": media}
    (folder / "known-vics.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    with (folder / "known-ncmec.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["MD5", "SHA1", "Category"])
        writer.writerows([r.md5, r.sha1, r.category] for r in records if "ncmec" in r.lists)
    with (folder / "known-pdq.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["pdq", "quality", "category"])
        writer.writerows([r.listed_pdq, r.listed_quality, r.category] for r in records if "pdq" in r.lists)
