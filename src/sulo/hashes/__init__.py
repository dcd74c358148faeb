"""The hashes stage: known-hash matching, hashes only, never media."""

from sulo.hashes.links import known_hash_matches

__all__ = ["known_hash_matches"]
