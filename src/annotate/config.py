"""Configuration: the built-in default overlaid with a user's YAML file, validated early."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from annotate.errors import ConfigError, available

DEFAULT_CONFIG_TEXT = resources.files("annotate").joinpath("default_config.yaml").read_text()


def default_config() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_CONFIG_TEXT)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``override`` laid over it, mappings merged key by key."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


MAX_CONFIG_NODES = 100_000  # a few hundred bytes of aliases can stand for billions


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` holds with every alias expanded (counting stops past the max)."""
    count, stack = 0, [root]
    while stack and count <= MAX_CONFIG_NODES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
    return count


def _key_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key, by its path."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, str(key_node.value))
            lines[key_path] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, key_path))
    return lines


class Config(dict):
    """The effective configuration; remembers where each key came from for error messages."""

    source: str = "<default>"
    lines: dict[tuple[str, ...], int]
    user_keys: frozenset[str] = frozenset()  # top-level keys set by the user's file or overrides

    def pins(self, key: str) -> bool:
        """Whether the user set ``key`` (e.g. ``pipeline``) rather than keeping the default."""
        return key in self.user_keys

    def where(self, *path: str) -> str:
        line = self.lines.get(path)
        return f"{self.source}, line {line}" if line else self.source

    def annotator_config(self, name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """An annotator's settings: its defaults overlaid with ``annotators.<name>``."""
        section = self["annotators"].get(name) or {}
        if not isinstance(section, Mapping):
            raise ConfigError(
                f"{self.where('annotators', name)}: annotators.{name} must be a mapping of "
                f"settings. {available(defaults)}"
            )
        unknown = sorted(set(section) - set(defaults))
        if unknown:
            key = unknown[0]
            raise ConfigError(
                f"{self.where('annotators', name, key)}: unknown setting '{key}' for annotator "
                f"'{name}'. {available(defaults)}"
            )
        for key, value in section.items():
            default = defaults[key]
            if default is not None and value is not None and _kind(value) != _kind(default):
                raise ConfigError(
                    f"{self.where('annotators', name, key)}: annotators.{name}.{key} must be "
                    f"{_kind(default)} (like its default, {default!r}), got {value!r}."
                )
        return deep_merge(defaults, section)


def load_config(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Config:
    """The default config, overlaid with the YAML file at ``path`` and then ``overrides``."""
    config = _load_file(path)
    if overrides:
        _check_keys(overrides, config, default_config())
        merged = Config(deep_merge(config, overrides))
        merged.source, merged.lines = config.source, config.lines
        merged.user_keys = config.user_keys | set(overrides)
        config = merged
    return config


def _load_file(path: str | Path | None) -> Config:
    config = Config(default_config())
    config.lines = {}
    if path is None:
        return config
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config file: {error}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None and _expanded_size(node) > MAX_CONFIG_NODES:
            raise ConfigError(
                f"{path}: over {MAX_CONFIG_NODES:,} values once its aliases (*name) are "
                "expanded; write the settings out, or use fewer aliases."
            )
        user = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply; flatten the settings.") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}. Fix the syntax.") from None
    if user is None:
        user = {}
    if not isinstance(user, Mapping):
        raise ConfigError(f"{path}: a config file must be a YAML mapping of settings.")
    config.source = str(path)
    config.lines = _key_lines(node) if node is not None else {}
    _check_keys(user, config, default_config())
    merged = Config(deep_merge(config, user))
    merged.source, merged.lines = config.source, config.lines
    merged.user_keys = frozenset(user)
    return merged


def _check_keys(user: Mapping[str, Any], config: Config, defaults: Mapping[str, Any]) -> None:
    for key in user:
        if key not in defaults:
            raise ConfigError(f"{config.where(key)}: unknown key '{key}'. {available(defaults)}")
    expected_types = {
        "pipeline": list,
        "plugin_dirs": list,
        "plugins": list,
        "annotators": dict,
        "merge": dict,
        "batch_size": int,
        "max_chars": int,
        "model": str,
    }
    for key, kind in expected_types.items():
        if key in user and not isinstance(user[key], kind):
            raise ConfigError(
                f"{config.where(key)}: '{key}' must be a {kind.__name__}, got {user[key]!r}."
            )
    merge = user.get("merge") or {}
    for key in merge:
        if key not in defaults["merge"]:
            raise ConfigError(
                f"{config.where('merge', key)}: unknown key 'merge.{key}'. "
                f"{available(defaults['merge'])}"
            )
    if merge.get("policy", "merge") not in ("merge", "keep-all"):
        raise ConfigError(f"{config.where('merge', 'policy')}: merge.policy is merge or keep-all.")
    if merge.get("match", "exact") not in ("exact", "overlap"):
        raise ConfigError(f"{config.where('merge', 'match')}: merge.match is exact or overlap.")
    _check_types(user, config)


_NAMES = {"type": "array", "items": {"type": "string"}}

# The types of the settings (the keys themselves are checked against the defaults).
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "model": {"type": "string", "minLength": 1},
        "pipeline": _NAMES,
        "plugin_dirs": _NAMES,
        "plugins": _NAMES,
        "batch_size": {"type": "integer", "minimum": 1},
        "max_chars": {"type": "integer", "minimum": 1},
        "merge": {
            "type": "object",
            "properties": {
                "policy": {"enum": ["merge", "keep-all"]},
                "match": {"enum": ["exact", "overlap"]},
                "subsumes": {
                    "type": ["object", "null"],
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": _NAMES,
                    },
                },
            },
        },
        "annotators": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
        "analytics": {"type": "object"},
    },
}


def _check_types(user: Mapping[str, Any], config: Config) -> None:
    """Validate ``user`` against CONFIG_SCHEMA; the first error names the file and line."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(CONFIG_SCHEMA)
    errors = sorted(validator.iter_errors(dict(user)), key=lambda e: list(map(str, e.path)))
    if not errors:
        return
    error = errors[0]
    path = list(error.absolute_path)
    keys = tuple(str(p) for p in path if not isinstance(p, int))
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    expected = _expected(error)
    raise ConfigError(
        f"{config.where(*keys)}: '{dotted}' {expected}, got {error.instance!r}. "
        "`annotate config` shows the defaults."
    )


def _expected(error: Any) -> str:
    schema = error.schema
    if error.validator == "minimum":
        return f"must be at least {schema['minimum']}"
    if error.validator == "enum":
        return "must be one of " + ", ".join(map(str, schema["enum"]))
    if error.validator == "minLength":
        return "must not be empty"
    kinds = schema.get("type")
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
    }
    listed = [names.get(k, k) for k in ([kinds] if isinstance(kinds, str) else kinds or [])]
    return "must be " + " or ".join(listed) if listed else f"is invalid ({error.message})"


def _kind(value: Any) -> str:
    """The JSON kind of a setting, for checking a user's value against the default's."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return type(value).__name__
