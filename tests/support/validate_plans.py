#!/usr/bin/env python3
"""Validates drill plans (YAML) against a JSON Schema with a real validator.

usage: validate_plans.py SCHEMA.json PLAN.yaml...
Prints "schema ok" once the schema itself is a valid draft 2020-12 schema, then per plan
"valid PATH" or "invalid PATH: at LOCATION: MESSAGE" (every error). Exit 0 unless the
schema itself is broken (exit 1).
"""
import json
import sys

import jsonschema
import yaml


def main():
    with open(sys.argv[1]) as schema_file:
        schema = json.load(schema_file)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as problem:
        print("schema broken: %s" % problem.message)
        return 1
    print("schema ok")
    validator = jsonschema.Draft202012Validator(schema)
    for path in sys.argv[2:]:
        with open(path) as plan_file:
            plan = yaml.safe_load(plan_file)
        errors = sorted(validator.iter_errors(plan), key=lambda e: list(e.absolute_path))
        if not errors:
            print("valid %s" % path)
            continue
        for error in errors:
            where = "/".join(str(part) for part in error.absolute_path)
            print("invalid %s: at /%s: %s" % (path, where, error.message))
    return 0


sys.exit(main())
