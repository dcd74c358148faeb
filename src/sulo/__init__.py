"""sulo: one pipeline against online sexual exploitation of children."""
