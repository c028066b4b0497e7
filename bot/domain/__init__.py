"""Pure rules, one module per feature. No discord, no I/O: time and randomness come in as parameters."""
