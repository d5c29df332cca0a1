"""Pure rules and models of the PTI scheme: no I/O, no chalice, boto3, botocore or PynamoDB (tests/unit/test_layers.py)."""
