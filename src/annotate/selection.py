"""Which annotators run by default, and why each does or does not.

The default pipeline is the config's ``pipeline:`` list (the builtins) followed by every other
registered annotator (installed packages, plugin folders, plugin modules) whose required layers
some annotator of the pipeline assigns; the runner then orders them by what they require.
A config file (or API override) that sets ``pipeline:`` pins it: nothing joins by itself, and
each loaded annotator left out gets a one-line notice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from annotate.config import Config
from annotate.registry import Registry


@dataclass
class Selection:
    """The default pipeline's names, and for every registered annotator why it runs or not."""

    names: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def active(self, name: str) -> bool:
        return name in self.names


def default_pipeline(config: Config, registry: Registry, skip: Collection[str] = ()) -> Selection:
    """The annotators to run when no ``--only`` is given (see the module doc); an annotator
    requiring the layer of one in ``skip`` does not join."""
    configured = list(config["pipeline"])
    selection = Selection(names=list(configured))
    pinned = config.pins("pipeline")
    for name in configured:
        selection.why[name] = (
            f"in `pipeline:` of {config.where('pipeline')}" if pinned else "default pipeline"
        )
    extras = [n for n in sorted(registry.annotators) if n not in configured]
    if pinned:
        for name in extras:
            entry = registry.annotators[name]
            selection.why[name] = f"not in `pipeline:` pinned by {config.where('pipeline')}"
            if entry.origin != "builtin":
                selection.notices.append(
                    f"annotator '{name}' ({entry.origin}) is loaded but will not run: "
                    f"{config.where('pipeline')} pins `pipeline:` without it; add it there "
                    f"or use --only."
                )
        return selection
    # Join the extras whose requirements can be met, repeating until nothing changes, so that
    # a plugin may require the layer of another plugin.
    waiting = [n for n in extras if n not in skip]
    assigned = {
        layer for n in configured if n not in skip for layer in registry.annotators[n].obj.assigns
    }
    changed = True
    while changed:
        changed = False
        for name in list(waiting):
            if set(registry.annotators[name].obj.requires) <= assigned:
                waiting.remove(name)
                selection.names.append(name)
                selection.why[name] = "joined the default pipeline"
                assigned.update(registry.annotators[name].obj.assigns)
                changed = True
    for name in waiting:
        entry = registry.annotators[name]
        missing = sorted(set(entry.obj.requires) - assigned)
        selection.why[name] = f"needs layer {', '.join(missing)}, which no annotator assigns"
        selection.notices.append(
            f"annotator '{name}' ({entry.origin}) is loaded but will not run: it requires "
            f"layer {', '.join(missing)}, which no annotator in the pipeline assigns."
        )
    return selection
