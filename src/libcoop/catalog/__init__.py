"""Union catalog: MARC parsing, identifier normalisation and record facts."""
