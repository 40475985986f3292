"""Help text for passes, derived from the pass classes themselves (as mlir-opt's from TableGen):
the summary is the first sentence of the pass's module docstring (`bnn-fold: WHAT` in bnnir's
pass files) or else of its class docstring; the options are the dataclass fields, with their
types, defaults and the lines of the docstring's "Arguments:" section that name them.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from types import NoneType
from typing import get_args, get_type_hints

from xdsl.passes import ModulePass


@dataclass(frozen=True)
class PassOption:
    name: str  # as spelled in a pipeline: target-fps
    type: str  # in words: "number", "integer", ...
    default: str
    help: str


def describe_type(hint: object) -> str:
    """A pass option's type in words: `int | float | None` -> `a number`."""
    kinds = {a for a in (get_args(hint) or (hint,)) if a is not NoneType}
    if kinds <= {int, float}:
        return "an integer" if kinds == {int} else "a number"
    if kinds == {bool}:
        return "true or false"
    if kinds == {str}:
        return "a string"
    return " or ".join(sorted(getattr(k, "__name__", str(k)) for k in kinds))


def _first_sentence(text: str) -> str:
    paragraph = " ".join(inspect.cleandoc(text).split("\n\n", 1)[0].split())
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return (match.group(1) if match else paragraph).rstrip(".")


def pass_summary(pass_class: type[ModulePass]) -> str:
    """One line saying what the pass does."""
    module_doc = sys.modules[pass_class.__module__].__doc__ or ""
    prefix = f"{pass_class.name}:"
    if module_doc.lstrip().startswith(prefix):
        return _first_sentence(module_doc.lstrip()[len(prefix):])
    if pass_class.__doc__ and pass_class.__doc__ is not ModulePass.__doc__:
        return _first_sentence(pass_class.__doc__)
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", pass_class.__name__.removesuffix("Pass"))
    return f"xDSL's {words.lower()}"


def _argument_lines(doc: str) -> dict[str, str]:
    """field name -> its text in the docstring's "Arguments:" section."""
    _, found, section = inspect.cleandoc(doc).partition("Arguments:")
    if not found:
        return {}
    texts: dict[str, str] = {}
    name = None
    for line in section.splitlines():
        match = re.match(r"\s+(\w+):\s*(.*)", line)
        if match:
            name, texts[match.group(1)] = match.group(1), match.group(2)
        elif name is not None and line.strip():
            texts[name] += " " + line.strip()
        elif not line.strip() and name is not None:
            break
    return {key: value.rstrip(";,.").removesuffix(" or").rstrip(";,") for key, value
            in texts.items()}


def pass_options(pass_class: type[ModulePass]) -> list[PassOption]:
    hints = get_type_hints(pass_class)
    texts = _argument_lines(pass_class.__doc__ or "")
    options = []
    for field in dataclasses.fields(pass_class):
        if not field.init:
            continue
        default = field.default
        if default is dataclasses.MISSING and field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        default = "none" if default in (None, dataclasses.MISSING) else _spelled(default)
        options.append(PassOption(field.name.replace("_", "-"), describe_type(hints[field.name]),
                                  default, texts.get(field.name, "")))
    return options


def pass_list(available: dict[str, Callable[[], type[ModulePass]]]) -> str:
    """Every pass with its summary and options, for --help."""
    lines = ["passes (-p 'NAME{option=value ...},...' or "
             "--pass-pipeline='builtin.module(NAME{option=value ...},...)'):"]
    for name, factory in available.items():
        pass_class = factory()
        lines += textwrap.wrap(f"{name:<24}{pass_summary(pass_class)}", 98, initial_indent="  ",
                               subsequent_indent=" " * 26, break_on_hyphens=False)
        for option in pass_options(pass_class):
            kind = option.type.removeprefix("a ").removeprefix("an ")
            text = f"{option.name}=<{kind}> (default {option.default}) {option.help}"
            lines += textwrap.wrap(text, 98, initial_indent=" " * 6, subsequent_indent=" " * 10,
                                   break_on_hyphens=False)
    lines.append("Run --help-pass NAME for a pass's guarantee and what each option means.")
    return "\n".join(lines)


def pass_help(name: str, pass_class: type[ModulePass]) -> str:
    """A pass's full description: summary, options with their meaning, guarantee."""
    lines = [f"{name}: {pass_summary(pass_class)}", ""]
    options = pass_options(pass_class)
    if options:
        lines.append("options:")
        for option in options:
            head = f"  {option.name}=<{option.type}> (default {option.default})"
            lines.append(head)
            if option.help:
                lines += textwrap.wrap(option.help, 96, initial_indent="      ",
                                       subsequent_indent="      ", break_on_hyphens=False)
        lines.append("")
    module_doc = sys.modules[pass_class.__module__].__doc__ or ""
    if module_doc.lstrip().startswith(f"{name}:"):  # its first paragraph is the summary
        lines.append(inspect.cleandoc(module_doc).partition("\n\n")[2])
    elif pass_class.__doc__:
        lines.append(inspect.cleandoc(pass_class.__doc__))
    return "\n".join(lines).rstrip() + "\n"


def _spelled(value: object) -> str:
    """A default as a pass option would be written: 200, not 200.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
