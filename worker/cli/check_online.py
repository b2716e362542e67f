"""``handoff check-config --online``: do the ids the settings name exist in each helpdesk?

For every configured platform: prove the credentials (`Directory.whoami`), then
look up each group, agent and custom field named in routing, rules, ladders,
``triggers.vip_fields`` and the platform's ``ai_user_id`` (`core.id_refs`). Each
id is printed with where the settings name it and what the helpdesk said.
`handoff install` runs the same check for the platform it installed.

Exit codes (`OnlineReport.exit_code`): 0 every id was found; 3 at least one id
is missing (config error 2 is taken by an invalid file); 1 the check could not
be completed for a platform: unreachable, credentials refused, or a lookup
refused (403). Ids that cannot be checked on a platform (fields Handoff does not
read there) are printed and do not change the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from connectors.directory import Directory, Found
from core.errors import HelpdeskError, PermanentError
from core.id_refs import IdKind, IdRef, references
from core.settings import Settings
from worker.cli.base import EXIT_FAILED, EXIT_MISSING


@dataclass
class OnlineReport:
    """What the check found: printed lines, and counts that decide the exit code."""

    lines: list[str] = field(default_factory=list)
    found: int = 0
    missing: int = 0
    unknown: int = 0
    failed: int = 0

    @property
    def exit_code(self) -> int:
        """3 when an id is missing, else 1 when a platform could not be checked, else 0."""
        if self.missing:
            return EXIT_MISSING
        return EXIT_FAILED if self.failed else 0

    def summary(self) -> str:
        """One line: the counts."""
        return (f"# online: {self.found} found, {self.missing} missing, {self.unknown} not "
                f"checkable, {self.failed} could not be checked")


def check_online(settings: Settings, directories: Mapping[str, Directory],
                 progress: Callable[[str], None] | None = None) -> OnlineReport:
    """Check every id the settings name against each platform's directory (a
    connector's ``directory`` part).

    Never raises for a helpdesk failure: it becomes a line and counts as "could
    not be checked". `progress` is told each platform as its check starts.
    """
    report = OnlineReport()
    refs = references(settings)
    for platform, directory in directories.items():
        if progress is not None:
            progress(f"checking {platform} ...")
        _check_platform(platform, directory, [r for r in refs if r.platform in (None, platform)],
                        report)
    return report


def _check_platform(platform: str, directory: Directory, refs: list[IdRef],
                    report: OnlineReport) -> None:
    try:
        me = directory.whoami()
    except HelpdeskError as exc:
        report.lines.append(f"{platform}: {_failure(exc)}: {exc}")
        report.failed += 1 + len(refs)
        return
    report.lines.append(f"{platform}: credentials work (API user {me})")
    for kind in IdKind:
        wanted = [r for r in refs if r.kind is kind]
        if not wanted:
            continue
        try:
            answers = directory.lookup(kind, sorted({r.value for r in wanted}))
        except HelpdeskError as exc:
            report.lines.append(f"{platform}: cannot look up {kind}s: {_failure(exc)}: {exc}")
            report.failed += len(wanted)
            continue
        for ref in wanted:
            report.lines.append(f"{platform}: {ref.where} = {ref.value!r}: "
                                f"{_verdict(ref, answers.get(ref.value, Found(False)), report)}")


def _verdict(ref: IdRef, answer: Found, report: OnlineReport) -> str:
    note = f" ({answer.note})" if answer.note else ""
    if answer.exists is None:
        report.unknown += 1
        return f"not checkable{note}"
    if answer.exists:
        report.found += 1
        return "found"
    report.missing += 1
    return f"MISSING: no such {ref.kind}{note}"


def _failure(exc: HelpdeskError) -> str:
    if isinstance(exc, PermanentError) and exc.status == 401:
        return "credentials refused"
    if isinstance(exc, PermanentError) and exc.status == 403:
        return "not allowed"
    if isinstance(exc, PermanentError):
        return "helpdesk refused"
    return "helpdesk unreachable"
