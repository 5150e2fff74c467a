"""The push notifications' CLI: a new pair of VAPID keys."""

import click

from app.push import services


@click.command("vapid-keys")
def vapid_keys_command() -> None:
    """Print a new VAPID key pair as the environment lines Web Push needs."""
    private, public = services.new_vapid_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo("VAPID_SUBJECT=mailto:sistemas@example.com")
