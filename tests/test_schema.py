"""The shipped JSON Schema is generated from the format declaration and accepts the sources."""

from __future__ import annotations

import json

import jsonschema
import yaml

from compiler.readers.schema import json_schema
from tests.helpers import FIXTURES, POLICY, ROOT


def test_shipped_schema_is_current() -> None:
    shipped = json.loads((ROOT / "source" / "policy.schema.json").read_text(encoding="utf-8"))
    assert shipped == json_schema(), "run: policyc schema --out source/policy.schema.json"


def test_sources_validate_against_schema() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    legal = FIXTURES / "legal"
    for path in (POLICY, FIXTURES / "project" / "source" / "retention-schedule.yaml",
                 ROOT / "source" / "terms-of-service.yaml", legal / "source" / "constructs.yaml",
                 *sorted((legal / "real").glob("*.yaml"))):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))  # dates as ISO strings, as in YAML
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path


def _document(block: object, **extra: object) -> dict[str, object]:
    return {"id": "x", "title": "T", "version": "1.0.0", "updated": "2025-01-01",
            "effective": "2025-01-01", "source_locale": "en", "locales": ["en"],
            "organization": "O", "sections": [{"id": "a", "title": "A", "blocks": [block]}],
            **extra}


def test_schema_rejects_unknown_keys() -> None:
    """The one error is at the misspelt block; the same document spelt right is valid."""
    validator = jsonschema.Draft202012Validator(json_schema())
    assert list(validator.iter_errors(_document({"paragraph": "x"}))) == []
    errors = list(validator.iter_errors(_document({"txet": "x"})))
    assert [list(e.absolute_path) for e in errors] == [["sections", 0, "blocks", 0]]
    assert any("'txet'" in str(sub.message) for sub in errors[0].context or []), errors[0]
    errors = list(validator.iter_errors(_document({"paragraph": "x"}, titel="T")))
    assert [(list(e.absolute_path), e.validator) for e in errors] == [([], "additionalProperties")]
    assert "'titel'" in errors[0].message
