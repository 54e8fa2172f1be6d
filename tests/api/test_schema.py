"""The OpenAPI schema: valid, served at /api/v1/schema/, documented by a page that runs under the
site's script policy, and every one of its operations exercised by a test of this folder."""

import ast
import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def _covered():
    """The operation ids named by @covers(...) on the test functions of tests/api."""
    covered = set()
    for module in HERE.glob("test_*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "covers":
                    covered |= {arg.value for arg in decorator.args if isinstance(arg, ast.Constant)}
    return covered


def test_the_schema_is_valid_openapi_3():
    schema = _schema()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "指导中心签发的接口令牌",
    }


def test_every_operation_in_the_schema_has_a_test():
    operations = _operations(_schema())
    assert len(operations) >= 6
    untested = {op: where for op, where in operations.items() if op not in _covered()}
    assert not untested, f"operations without a test (mark the test with @covers): {untested}"
    unknown = _covered() - set(operations)
    assert not unknown, f"@covers names operations the schema does not have: {unknown}"


def test_the_schema_is_served_without_a_token(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert set(_operations(response.json())) == set(_operations(_schema()))


def test_the_documentation_page_runs_from_our_static_files_under_the_csp(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    start_script = re.search(r'src="(/api/v1/docs/\?script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(start_script)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()
