"""The Dockerfile, docker-compose.yml and the systemd unit name files and commands that exist.

Docker isn't available where the suite runs, so the image is never built here (docs/DEPLOYMENT.md says so);
these checks catch a renamed file, a removed command or a forgotten secret in the build context.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from bot.cli import COMMANDS, parse_args

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "haven.service").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found: list[tuple[str, str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _one(keyword: str) -> str:
    (value,) = [rest for key, rest in _instructions() if key == keyword]
    return value


def _haven_command(argv: list[str]) -> str:
    """The Haven command an argv like ``python -m bot run`` runs; fails when the CLI doesn't know it."""
    assert argv[1:3] == ["-m", "bot"], argv
    command = parse_args(argv[3:]).command
    assert command in COMMANDS
    return command


def test_the_image_is_slim_python_311_and_runs_as_a_user_with_var_as_a_volume() -> None:
    assert _one("FROM").startswith("python:3.11-slim")
    assert _one("USER") not in ("root", "0")
    assert "/app/var" in json.loads(_one("VOLUME"))
    assert _one("WORKDIR") == "/app"


def test_the_image_copies_files_that_exist_and_runs_a_known_command() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for key, rest in _instructions():
        if key == "COPY":
            *sources, _destination = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored and f"{source}/" not in ignored, source
    assert _haven_command(json.loads(_one("CMD"))) == "run"


def test_the_healthcheck_asks_the_health_endpoint_on_the_configured_port() -> None:
    env = dict(re.findall(r"(\w+)=(\S+)", _one("ENV")))
    assert env["HEALTH_HOST"] == "0.0.0.0"
    check = json.loads(_one("HEALTHCHECK").split("CMD", 1)[1])
    assert check[:2] == ["python", "-c"] and "urllib.request" in check[2]
    assert f"http://127.0.0.1:{env['HEALTH_PORT']}/healthz" in check[2]


def test_secrets_and_runtime_data_stay_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "var/" in ignored and ".git/" in ignored


def test_compose_runs_the_image_with_postgresql_and_named_volumes() -> None:
    assert re.search(r"^\s+build: \.$", COMPOSE, re.M)
    assert re.search(r"^\s+image: postgres:\d+", COMPOSE, re.M)
    assert re.search(r"^\s+env_file: \.env$", COMPOSE, re.M)
    assert re.search(
        r"^\s+DATABASE_URL: postgresql://haven:\$\{POSTGRES_PASSWORD\}@db:5432/haven$", COMPOSE, re.M
    )
    declared = re.search(r"^volumes:\n((?:  \S+:\n?)+)", COMPOSE, re.M)
    assert declared is not None
    names = {line.strip().rstrip(":") for line in declared.group(1).splitlines()}
    used = set(re.findall(r"^\s+- ([\w-]+):/", COMPOSE, re.M))
    assert used == names and "haven-var" in names
    assert re.search(r"- haven-var:/app/var$", COMPOSE, re.M)


def test_the_systemd_unit_runs_a_known_command_with_hardening() -> None:
    settings = dict(re.findall(r"^(\w+)=(.*)$", UNIT, re.M))
    argv = shlex.split(settings["ExecStart"])
    assert argv[0] == settings["WorkingDirectory"] + "/.venv/bin/python"
    assert _haven_command(argv) == "run"
    assert settings["ReadWritePaths"] == settings["WorkingDirectory"] + "/var"
    for option, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "RestartPreventExitStatus": "2",
    }.items():
        assert settings[option] == value, option
    assert settings["User"] != "root"


def test_the_deployment_guide_is_linked_and_honest_about_what_was_tested() -> None:
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    assert "docs/DEPLOYMENT.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "untested" in guide.lower()
    for command in ("backup", "restore", "copy-database"):
        assert f"python -m bot {command}" in guide
        assert command in COMMANDS
