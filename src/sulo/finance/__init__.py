"""The finance stage: screen transactions against OSEC red-flag indicators, score typologies, explain alerts.

Flow: `inputs.load_transactions` (validate, quarantine, convert to USD) -> `screen.screen` (indicator SQL on
the analytical engine, typology scores, networks) -> `alerts` (write files) / `store` (persist, dispositions).
"""


def __getattr__(name: str) -> object:
    # The link the tips stage looks up by name; imported on first use so `import sulo.finance` stays light.
    if name == "alerts_for_identifiers":
        from sulo.finance.links import alerts_for_identifiers

        return alerts_for_identifiers
    raise AttributeError(name)
