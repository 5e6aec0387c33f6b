"""The deploy kit agrees with README's 生产部署 / Production steps: the files it names exist, and
gunicorn, nginx, systemd and .env.example name the same port, paths and env file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _env_defaults() -> dict[str, str]:
    """Every variable of .env.example, set or shown commented out with its default."""
    values = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"#?([A-Z][A-Z0-9_]+)=(.*)", line.strip())
        if m:
            values[m.group(1)] = m.group(2)
    return values


def _unit(name: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    return keys


def test_files_named_by_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"deploy/[\w./-]+\w", readme))
    kit = {"deploy/.env.example", "deploy/gunicorn.conf.py", "deploy/nginx/keyprojects.conf", "deploy/systemd/keyprojects.service"}
    assert kit <= named
    assert [n for n in sorted(named) if not (ROOT / n).exists()] == []


def _production_commands(readme: str, heading: str) -> list[str]:
    """The command lines (comments dropped) of the first bash block under ``heading``."""
    section = readme.split(heading, 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines()]
    return [line.replace("<仓库地址>", "<repository URL>") for line in lines if line and not line.startswith("#")]


def test_the_chinese_and_english_production_steps_are_the_same_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese, english = _production_commands(readme, "### 生产部署"), _production_commands(readme, "### Production")
    assert chinese == english
    assert "make install" in english and ".venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi" in english
    assert len([c for c in english if "create_admin" in c]) == 3
    # The verification talks to the address gunicorn was told to listen on.
    assert all("127.0.0.1:8000" not in c for c in english if c.startswith("curl"))


def test_port_paths_user_and_env_file_agree():
    env = _env_defaults()
    nginx = (DEPLOY / "nginx" / "keyprojects.conf").read_text(encoding="utf-8")
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    bind = re.search(r'"GUNICORN_BIND", "([^"]+)"', gunicorn).group(1)
    assert bind == env["GUNICORN_BIND"] == "127.0.0.1:8000"
    assert re.search(r"upstream keyprojects \{\s*server ([\d.:]+)", nginx).group(1) == bind
    # nginx serves collectstatic's output: the default STATIC_ROOT of the code in /opt/keyprojects.
    assert re.search(r"location /static/ \{\s*alias ([^;]+);", nginx).group(1).rstrip("/") == env["KEYPROJECTS_STATIC_ROOT"]
    for name in ("keyprojects.service", "keyprojects-backup.service", "keyprojects-verify-audit.service"):
        unit = _unit(name)
        assert unit["User"] == unit["Group"] == ["keyprojects"], name
        assert unit["WorkingDirectory"] == ["/opt/keyprojects"], name
        assert unit["EnvironmentFile"] == ["/etc/keyprojects/keyprojects.env"], name
    app = _unit("keyprojects.service")
    assert app["ExecStart"] == ["/opt/keyprojects/.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi"]


def test_the_service_may_write_where_the_env_file_points():
    """ProtectSystem=strict makes the file system read-only but for the paths the unit opens: the
    data directory and the shared cache directory of .env.example must be among them."""
    env = _env_defaults()
    app = _unit("keyprojects.service")
    assert app["ProtectSystem"] == ["strict"]
    writable = set(app.get("ReadWritePaths", [])) | {f"/var/cache/{d}" for d in app.get("CacheDirectory", [])}
    assert env["KEYPROJECTS_VAR_DIR"] in writable
    assert env["CACHE_DIR"] in writable


def test_gunicorn_opens_no_control_socket():
    """systemd runs the service: gunicorn's control socket (one $HOME path for every gunicorn of
    the user) would only collide between two instances."""
    import gunicorn.config

    cfg = gunicorn.config.Config()
    namespace: dict[str, object] = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8"), "gunicorn.conf.py", "exec"), namespace)
    for key, value in namespace.items():
        if key in cfg.settings:
            cfg.set(key, value)
    assert cfg.control_socket_disable is True


def test_the_env_file_mode_is_the_same_everywhere():
    """README (both languages), the operations guide and .env.example install the env file the
    same way: 0600, root only (systemd reads EnvironmentFile= as root; nothing reads it as the
    service user)."""
    env_file = "/etc/keyprojects/keyprojects.env"
    texts = {
        "README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
        "部署与运维.md": (ROOT / "docs" / "guide" / "部署与运维.md").read_text(encoding="utf-8"),
        ".env.example": (DEPLOY / ".env.example").read_text(encoding="utf-8"),
    }
    installs = {name: re.findall(rf"install [^\n]*{re.escape(env_file)}", text) for name, text in texts.items()}
    assert len(installs["README.md"]) == 2, installs  # the Chinese and the English steps
    for name, lines in installs.items():
        assert lines, name
        assert {re.sub(r"^.*install ", "install ", line) for line in lines} == {f"install -D -m 0600 deploy/.env.example {env_file}"}, name
    for name, text in texts.items():
        assert not re.search(r"\b06[4-7]0\b", text), name  # no group-readable mode stated anywhere
