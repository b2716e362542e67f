"""``handoff init [DIR]``: a starter settings file, an example knowledge article and a
``.env.example``, so a new install has something to edit."""

from __future__ import annotations

from pathlib import Path

import click

from core.errors import ConfigError

STARTER = Path(__file__).resolve().parent / "starter"
# What init writes, relative to DIR, and the starter file it copies.
FILES = {
    "handoff.yaml": "handoff.yaml",
    "knowledge/example_article.md": "knowledge/example_article.md",
    ".env.example": "env.example",
}


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: str, force: bool) -> None:
    """Write a commented starter handoff.yaml, an example knowledge article and a
    .env.example listing every environment variable into DIRECTORY (default: here).

    Exit 2, writing nothing, if one of them exists (unless --force) or DIRECTORY
    cannot be written.
    """
    root = Path(directory)
    existing = [name for name in FILES if (root / name).exists()]
    if existing and not force:
        raise ConfigError(f"{', '.join(str(root / n) for n in existing)} already exist(s); "
                          "nothing written (use --force to overwrite)")
    try:
        for name, source in FILES.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text((STARTER / source).read_text(encoding="utf-8"), encoding="utf-8")
            click.echo(f"wrote {target}")
    except OSError as exc:
        raise ConfigError(f"{directory}: cannot write the starter files: {exc.strerror}") from exc
    config = root / "handoff.yaml"
    click.echo(
        "\nnext steps:\n"
        f"  1. edit {config}: uncomment your helpdesk under platforms, and put your answers "
        f"in {root / 'knowledge'}/\n"
        f"  2. copy {root / '.env.example'} to .env, fill in the API token, and check the "
        f"settings: handoff check-config --config {config}\n"
        f"  3. register the webhook, then start the receiver and a worker: handoff install "
        f"<platform> --public-url https://... --config {config}; handoff serve; handoff worker"
    )
