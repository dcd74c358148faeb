"""The synthetic world generator: a seeded world of people, reports, payments, images, cases, with truth.

Entry point: generate_world(out_dir, seed, size, progress) -> WorldManifest (see world.py and
docs/formats/synth-world.md).
"""

from sulo.synth.config import WorldConfigError, load_params
from sulo.synth.world import WorldManifest, generate_world

__all__ = ["WorldConfigError", "WorldManifest", "generate_world", "load_params"]
