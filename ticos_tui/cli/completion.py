"""`ticos-tui completion SHELL`: a shell completion script generated from the CLI's own parser."""

from __future__ import annotations

import argparse

from ticos_tui.core.errors import UsageError

SHELLS = ("bash", "zsh", "tcsh", "fish")

# A KEY argument completes to the ids and names of the active login's keys: each shell asks
# `ticos-tui keys list --complete` (ids and printable names, a line each; never a secret).
_LIST = "ticos-tui keys list --complete --timeout 3 2>/dev/null"
KEY_COMPLETE = {"bash": "_ticos_tui_keys", "zsh": "_ticos_tui_keys"}
_PREAMBLE = {
    "bash": f"""_ticos_tui_keys() {{
  local word
  while IFS= read -r word; do
    [[ "$word" == "$1"* ]] && printf '%q\n' "$word"
  done < <({_LIST})
}}
""",
    "zsh": f"""_ticos_tui_keys() {{
  local -a keys
  keys=("${{(@f)$({_LIST})}}")
  compadd -a keys
}}
""",
}


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` (bash, zsh, tcsh or fish), from `parser`'s commands and
    options.

    shtab (bash, zsh, tcsh) is imported here only, so no other command pays for it; shtab has
    no fish, so fish's script is written here from the same parser.
    """
    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}; choose one of: {', '.join(SHELLS)}")
    if shell == "fish":
        return fish_script(parser)
    import shtab

    return str(shtab.complete(parser, shell=shell, preamble=_PREAMBLE.get(shell, "")))


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _commands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """The subcommands `parser` takes: name -> (its parser, its one-line help)."""
    found: dict[str, tuple[argparse.ArgumentParser, str]] = {}
    for action in parser._actions:  # argparse has no public walk; shtab reads the same
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found[name] = (sub, helps.get(name, ""))
    return found


def fish_script(parser: argparse.ArgumentParser) -> str:
    """fish's `complete` lines for every command, subcommand and long option of `parser`.

    A `choices` option (`--status`, `--shell`) and `--scope` offer their values; a KEY
    argument the ids and names of the keys (`keys list --complete`).
    """
    from ticos_tui.core.scopes import SCOPES

    prog = parser.prog
    lines = [
        f"# {prog} completion for fish: {prog} completion fish > ~/.config/fish/completions/"
        f"{prog}.fish",
        f"complete -c {prog} -f",
    ]

    def walk(current: argparse.ArgumentParser, path: list[str]) -> None:
        seen = "; and ".join(f"__fish_seen_subcommand_from {word}" for word in path)
        commands = _commands(current)
        if commands:
            none_yet = "not __fish_seen_subcommand_from " + " ".join(commands)
            when = f"{seen}; and {none_yet}" if path else "__fish_use_subcommand"
            for name, (_, help_text) in commands.items():
                lines.append(
                    f"complete -c {prog} -n {_quoted(when)} -a {name} -d {_quoted(help_text)}"
                )
        for action in current._actions:
            longs = [o[2:] for o in action.option_strings if o.startswith("--")]
            if not longs or action.help == argparse.SUPPRESS:
                continue
            condition = f" -n {_quoted(seen)}" if path else ""
            values = SCOPES if "--scope" in action.option_strings else action.choices
            # fish expands the candidates: `*` would be a glob of the folder's files.
            words = " ".join(str(v).replace("*", "\\*") for v in values or ())
            takes = f" -x -a {_quoted(words)}" if values else ""
            first_line = (action.help or "").split("(")[0].strip()
            for long in longs:
                lines.append(
                    f"complete -c {prog}{condition} -l {long}{takes} -d {_quoted(first_line)}"
                )
        if path and any(getattr(a, "complete", None) == KEY_COMPLETE for a in current._actions):
            lines.append(f"complete -c {prog} -n {_quoted(seen)} -a {_quoted('(' + _LIST + ')')}")
        for name, (sub, _) in commands.items():
            walk(sub, [*path, name])

    walk(parser, [])
    return "\n".join(lines) + "\n"
