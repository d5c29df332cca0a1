"""infra/template.json is the single source of truth: the models match it and the deployable template lints clean."""

import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.settings import Settings
from chalicelib.store.tables import TABLE_MODELS
from local.aws import stage_environment
from local.bootstrap import load_template, table_definitions

TEMPLATE = load_template()


def _sorted(items, key):
    return sorted(items or [], key=lambda item: item[key])


def _indexes(indexes):
    return {
        index["IndexName"]: {
            "KeySchema": _sorted(index["KeySchema"], "KeyType"),
            "Projection": index["Projection"].get("ProjectionType"),
        }
        for index in indexes or []
    }


@pytest.mark.parametrize("logical", sorted(TABLE_MODELS))
def test_model_matches_template_table(logical):
    model = TABLE_MODELS[logical]
    variable = Settings.model_fields[f"{logical}_table"].alias
    table = table_definitions(TEMPLATE)[variable]
    schema = model._get_schema()
    assert _sorted(schema["key_schema"], "KeyType") == _sorted(table["KeySchema"], "KeyType")
    assert _sorted(schema["attribute_definitions"], "AttributeName") == _sorted(table["AttributeDefinitions"], "AttributeName")
    model_indexes = [
        {"IndexName": i["index_name"], "KeySchema": i["key_schema"], "Projection": {"ProjectionType": i["projection"]["ProjectionType"]}}
        for i in schema["global_secondary_indexes"]
    ]
    assert _indexes(model_indexes) == _indexes(table.get("GlobalSecondaryIndexes"))
    ttl = model._ttl_attribute()
    expected = {"AttributeName": ttl.attr_name, "Enabled": True} if ttl else None
    assert table.get("TimeToLiveSpecification") == expected


def test_every_template_table_has_a_model_and_a_setting():
    variables = {Settings.model_fields[f"{logical}_table"].alias for logical in TABLE_MODELS}
    assert variables == set(table_definitions(TEMPLATE))


@pytest.mark.parametrize("variable", sorted(table_definitions(TEMPLATE)))
def test_tables_are_production_grade(variable):
    table = table_definitions(TEMPLATE)[variable]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionProtectionEnabled"] is True


def test_template_wires_every_setting_the_stage_does_not_set():
    """Settings without a default must come from the template or the prod stage's config (Lambda sets AWS_REGION)."""
    wired = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]) | set(stage_environment("prod")) | {"AWS_REGION"}
    required = {field.alias for field in Settings.model_fields.values() if field.is_required()}
    assert required <= wired


def test_merged_deployment_template_passes_cfn_lint(packaged):
    """`chalice package --merge-template` output is what CloudFormation deploys; lint that, not the fragment."""
    bin_dir = Path(sys.executable).parent
    linted = subprocess.run([str(bin_dir / "cfn-lint"), str(packaged / "sam.json")], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
