"""Validates a FHIR R4 (4.0.1) JSON resource with Python's fhir.resources
6.x, an independent model of the specification (issue 15, 17).

Usage: validate-fhir.py FILE   -> prints the resource type and, for a
Bundle, one line per entry type with its count; exits 1 on any problem.
"""
import collections
import json
import sys

import fhir.resources
from fhir.resources import construct_fhir_element

assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__

with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
try:
    resource = construct_fhir_element(data["resourceType"], data)
except Exception as e:  # pydantic's ValidationError lists every problem
    print(f"INVALID {e}")
    sys.exit(1)
print(resource.resource_type)
if resource.resource_type == "Bundle":
    counts = collections.Counter(e.resource.resource_type for e in resource.entry or [])
    for name, n in sorted(counts.items()):
        print(f"{name} {n}")
