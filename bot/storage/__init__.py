"""All SQL lives here: the engine, the schema, migrations and one repository per feature."""
