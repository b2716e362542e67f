"""``handoff policy``: read, test and change the policy in the settings file.

``handoff policy edit "only escalate billing disputes over $500"`` asks the
configured model (`llm:`) for a settings change, shows it as a diff, validates it
with the start-up checks, shows how the auto/draft/escalate/skip split moves over
recent tickets, and writes it only after confirmation (`--yes` for scripts).

Exit codes: 0 written (or nothing to change), 1 not written (confirmation refused,
the model failed or answered something unusable, or the file changed meanwhile),
2 bad configuration, no model configured, or a proposal the schema rejects.
The settings file is never touched unless the change is confirmed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from core.errors import ConfigError, ProposalError, ScorerError
from core.models import Ticket
from core.settings import Settings
from worker.cli.base import EXIT_CONFIG

EXIT_NOT_WRITTEN = 1
# Room for the complete new value of a section such as `rules:` with several rules.
EDIT_MAX_TOKENS = 4096
DEFAULT_TICKETS = Path("samples") / "tickets.jsonl"  # relative to the settings file

NO_MODEL = """\
policy edit needs a language model, and {file} has no `llm:` section.
Either configure one (the key comes from the environment, never the file):

  llm:
    provider: openai            # or anthropic; base_url: for any OpenAI-compatible server
    model: gpt-4o-mini
  # and: export HANDOFF_LLM_API_KEY=...

(with `llm:` set, the model also writes the answers to tickets: see docs/engine.md),
or edit the policy by hand: it lives in {file} under `rules:` and `policy:` (see
docs/policy.md and the README's configuration section). Check a hand edit with
`handoff check-config --config {file}` and preview it with `handoff simulate`."""


@click.group()
def policy() -> None:
    """Read, test and change the policy in the settings file (docs/policy.md)."""


@policy.command()
@click.argument("instruction")
@click.option("--tickets", type=click.Path(exists=True, dir_okay=False),
              help="Canonical tickets (JSONL) to simulate before and after, e.g. the "
                   "output of `handoff export` (default: samples/tickets.jsonl next to the "
                   "settings file).")
@click.option("--yes", is_flag=True, help="Write the change without asking (for scripts).")
def edit(instruction: str, tickets: str | None, yes: bool) -> None:
    """Turn INSTRUCTION, in plain language, into a reviewed settings change.

    Shows the diff and the simulated split before -> after, then asks before writing.
    """
    from connectors.llm import complete
    from core.policy_edit import apply_changes, parse_proposal, prompt, unified_diff
    from core.settings import parse_settings
    from infra.config import config_path, load_settings
    from worker.scoring import build_llm

    file = config_path()
    settings = load_settings(file)
    text = file.read_text(encoding="utf-8")
    if settings.llm is None:
        click.echo(NO_MODEL.format(file=file), err=True)
        sys.exit(EXIT_CONFIG)
    tokens = max(settings.llm.max_tokens, EDIT_MAX_TOKENS)
    provider, client = build_llm(settings.llm, max_tokens=tokens)
    system, user = prompt(text, str(file), instruction)
    click.echo(f"asking {provider.name} ({settings.llm.model}) for the change...", err=True)
    try:
        with client:
            answer = complete(provider, client, system, user)
        proposal = parse_proposal(answer)
        new_text = apply_changes(text, proposal.changes)
    except (ScorerError, ProposalError) as exc:
        click.echo(f"no usable proposal: {exc}\n{file} is unchanged.", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    if new_text == text:
        click.echo(f"the proposal changes nothing in {file}.")
        return
    click.echo(f"proposed: {proposal.summary or '(no summary)'}\n")
    _show_diff(unified_diff(text, new_text, str(file)))
    try:
        proposed = parse_settings(new_text, f"{file} (proposed)", os.environ,
                                  file.resolve().parent)
    except ConfigError as exc:
        click.echo(f"\nrejected, the proposed settings are not valid:\n{exc}\n"
                   f"{file} is unchanged.", err=True)
        sys.exit(EXIT_CONFIG)
    history = Path(tickets) if tickets else file.resolve().parent / DEFAULT_TICKETS
    _preview(history, settings, proposed)
    if not yes and not _confirmed(file):
        click.echo(f"nothing was changed: {file} is as it was.", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    if file.read_text(encoding="utf-8") != text:
        click.echo(f"{file} changed while the proposal was made; nothing was written. "
                   "Run the edit again.", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    try:
        _write(file, new_text)
    except OSError as exc:
        click.echo(f"cannot write {file}: {exc.strerror}; it is unchanged.", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    click.echo(f"wrote {file}. Workers read it at start-up: restart them to apply it.")


def _show_diff(diff: str) -> None:
    colours = {"+": "green", "-": "red", "@": "cyan"}
    for line in diff.splitlines():
        head = line[:3] in ("+++", "---")
        click.echo(click.style(line, fg=None if head else colours.get(line[:1]), bold=head))


def _confirmed(file: Path) -> bool:
    """y/N on the terminal (or stdin); end of input counts as no."""
    try:
        return click.confirm(f"\nwrite this change to {file}?", default=False)
    except click.Abort:
        return False


def _write(file: Path, text: str) -> None:
    """Replace `file` atomically (a reader sees the old or the new file, never half),
    keeping its permissions; raises OSError."""
    mode = file.stat().st_mode
    fd, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _preview(history: Path, before: Settings, after: Settings) -> None:
    """Run the engine over `history` under both settings and print how the split moves.

    The local scorer answers (once per ticket, shared by both runs), so a preview costs
    no model calls. A missing file or bad lines are reported; the edit goes on.
    """
    from core.engine import decide
    from core.policy_edit import compare, describe
    from core.simulation import OnceScorer, decision_row, ticket_from_row
    from worker.cli.thresholds import read_rows
    from worker.scoring import build_hybrid

    click.echo("")
    if not history.is_file():
        click.echo(f"no tickets to simulate ({history} does not exist; give --tickets FILE, "
                   "for example the output of `handoff export`).")
        return
    bad: list[tuple[int, str]] = []
    tickets, labels = [], {}
    for number, row in read_rows(str(history), bad):
        try:
            tickets.append(ticket_from_row(row))
        except (KeyError, TypeError, ValueError) as exc:
            bad.append((number, f"not a canonical ticket: {' '.join(str(exc).split())[:120]}"))
            continue
        if isinstance(row.get("labels"), dict):
            labels[str(row["id"])] = row["labels"]
    for number, why in bad:
        click.echo(f"{history}:{number}: skipped: {why}", err=True)
    if not tickets:
        click.echo(f"no tickets to simulate in {history}.")
        return
    try:
        scorer = OnceScorer(build_hybrid(before))
    except ConfigError as exc:
        click.echo(f"cannot simulate: {exc}", err=True)
        return
    runs = []
    for label, settings in (("simulating before", before), ("simulating after", after)):
        with click.progressbar(tickets, label=label, file=sys.stderr) as bar:
            runs.append([decision_row(decide(t, scorer, settings)) for t in bar])
    texts = {t.id: _opening(t) for t in tickets}
    click.echo(f"simulated over {len(tickets)} ticket(s) from {history} (local scorer):")
    for line in describe(compare(runs[0], runs[1], labels), texts):
        click.echo(line)


def _opening(ticket: Ticket) -> str:
    """The subject and first message of `ticket` on one line, for the examples."""
    first = ticket.messages[0].text if ticket.messages else ""
    return " ".join(f"{ticket.subject}: {first}".split() if ticket.subject else first.split())
