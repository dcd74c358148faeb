"""The finance stage: screen transactions against OSEC red-flag indicators, score typologies, explain alerts.

Flow: `inputs.load_transactions` (validate, quarantine, convert to USD) -> `screen.screen` (indicator SQL on
the analytical engine, typology scores, networks) -> `alerts` (write files) / `store` (persist, dispositions).
"""
