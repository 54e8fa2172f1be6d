from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.certificates import make_development_pkcs12


class Command(BaseCommand):
    help = (
        "Create a development CA and a document-signing certificate as one PKCS#12 file "
        "(for demo and tests only; production uses the center's real certificate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Where to write the PKCS#12 (.p12) file.")
        parser.add_argument("--password", required=True, help="Password protecting the PKCS#12 file.")
        parser.add_argument("--days", type=int, default=3 * 365, help="Validity in days (default three years).")
        parser.add_argument("--force", action="store_true", help="Overwrite an existing file.")

    def handle(self, *args, output, password, days, force, **options):
        import datetime

        path = Path(output)
        if path.exists() and not force:
            self.stdout.write(f"{path} already exists; left unchanged (use --force to replace it).")
            return
        if not password:
            raise CommandError("--password must not be empty.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        now = datetime.datetime.now(datetime.UTC)
        blob, ca_cert = make_development_pkcs12(password, not_after=now + datetime.timedelta(days=days))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        path.chmod(0o600)
        ca_path = path.with_suffix(".ca.pem")
        from cryptography.hazmat.primitives import serialization

        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        self.stdout.write(self.style.SUCCESS(f"Development signing certificate written to {path} (CA: {ca_path})."))
