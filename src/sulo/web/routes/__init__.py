"""One routes module per stage: `pages` (HTML) and `api` (JSON)."""
