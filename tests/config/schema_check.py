#!/usr/bin/env python3
"""schema_check.py SCHEMA FILE...: validates each FILE against SCHEMA (JSON Schema
2020-12, the schema itself checked first) and prints "FILE valid" or "FILE invalid: why"."""
import json, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(e.message for e in validator.iter_errors(json.load(open(path))))
    print(path, "valid" if not errors else "invalid: " + "; ".join(errors))
