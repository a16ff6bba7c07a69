"""`manage.py bench_stripe`: the Stripe rail under load against the offline fake on loopback
(outsourcing.bench.webhooks): signed webhooks in through gunicorn (2 sync workers) and processed
by a Celery worker, then a nightly reconciliation over 1,000 transfers. Runs on the sweeps set
(`bench_sweeps` first, same database); writes the "Stripe" section of docs/benchmarks.md."""

from django.core.management.base import BaseCommand, CommandError

from outsourcing.bench import report, server, sweeps_data, webhooks

# bench_money takes the newest engagements; these take the oldest, disjoint from them.
INBOUND_OFFSET = 0


class Command(BaseCommand):
    help = "Measure webhooks in and a 1,000-transfer reconciliation on the Stripe rail (writes docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--checkouts", type=int, default=300, help="Milestones paid, whose events are sent.")
        parser.add_argument("--transfers", type=int, default=1000)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--port", type=int, default=8952)
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")

    def handle(self, *args, checkouts, transfers, clients, port, no_write, **options):
        from payments.tests.stripe_fake import FakeStripe
        from payments.tests.stripe_fake.server import FakeStripeServer

        if not sweeps_data.exists():
            raise CommandError("No sweeps set here: run `manage.py bench_sweeps` first (make bench does).")
        fake = FakeStripe(default_currency="usd")
        load = server.load()
        with FakeStripeServer(fake) as stripe_server:
            webhooks.rail_on(fake, stripe_server.url)
            try:
                inbound_rows = webhooks.milestones(checkouts, INBOUND_OFFSET, "Paid through Stripe (bench)")
                released_rows = webhooks.milestones(transfers, INBOUND_OFFSET + checkouts,
                                                    "Released through Stripe (bench)")
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            intents = webhooks.paid_checkouts(fake, inbound_rows, "inbound")
            with server.stack(port, server.ROOT / "var"):
                inbound = webhooks.webhooks_in(fake, port, intents, clients=clients)
            made = webhooks.released_at_stripe(fake, released_rows)
            webhooks.fee_reserve(fake)
            night = webhooks.reconcile(made)
        self.stdout.write(load)
        self.stdout.write(self._inbound_line(inbound))
        self.stdout.write(self._night_line(night))
        if not no_write:
            path = report.write_section("stripe", self._section(inbound, night, load, clients))
            self.stdout.write(f"written to {path}")
        if not webhooks.inbound_ok(inbound, checkouts):
            raise CommandError(f"Webhooks in went wrong: {inbound}")
        if made != transfers or night.unexplained or webhooks.intents_by_status():
            raise CommandError(f"The reconciliation went wrong: {night}, {webhooks.intents_by_status()}")

    def _inbound_line(self, o):
        return (f"{o.deliveries:,} deliveries ({o.events:,} events, each twice) answered in {o.answered_seconds:.1f} s "
                f"({o.answered_rate:.0f}/s); all processed after {o.processed_seconds:.1f} s ({o.processed_rate:.0f} "
                f"events/s); stored {o.stored:,}, unprocessed {o.unprocessed}, milestones funded {o.funded:,} by "
                f"{o.fundings:,} fundings; answers {o.statuses}.")

    def _night_line(self, n):
        return (f"Reconciliation over {n.transfers:,} transfers: {n.seconds:.2f} s, {n.queries:,} queries, "
                f"{n.matched:,} matched, {n.unexplained} unexplained.")

    def _section(self, o, n, load, clients):
        codes = ", ".join(f"{count:,} × {status}" for status, count in sorted(o.statuses.items()))
        return "\n".join([
            "## Stripe rail: webhooks in and the nightly reconciliation",
            "",
            "Against the offline Stripe fake (payments/tests/stripe_fake/) served on loopback, which gunicorn and "
            "the Celery worker reach over HTTP; its own cost is in the figures (one Python process, one lock).",
            "",
            f"{report.stamp()} {load}",
            "",
            f"**Webhooks in.** {o.funded:,} milestones of the sweeps set paid through Checkout at the fake; every "
            f"event it recorded for them ({o.events:,}), signed, sent twice in shuffled order ({o.deliveries:,} "
            f"deliveries) by {clients} keep-alive clients to `POST /webhooks/stripe/` on gunicorn (2 sync workers, "
            "DEBUG off); a Celery worker (concurrency 2) processes each stored event once, re-reading the object "
            "from Stripe.",
            "",
            "| deliveries | stored and answered in | answered/s | all processed after | events processed/s | answers "
            "| events stored | unprocessed | milestones funded | fundings posted |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| {o.deliveries:,} | {o.answered_seconds:.1f} s | {o.answered_rate:.0f} | {o.processed_seconds:.1f} s | "
            f"{o.processed_rate:.0f} | {codes} | {o.stored:,} of {o.events:,} | {o.unprocessed} | {o.funded:,} | "
            f"{o.fundings:,} |",
            "",
            f"**Reconciliation.** {n.transfers:,} further milestones paid through Checkout and transferred at the "
            "fake by the provider's own calls, their intents recorded as the services record them (the release path "
            "is the Money section's); then `reconciliation_run` over every intent of the last 7 days (these, the "
            "checkouts above) matched to the platform's balance transactions, paged 100 at a time, in this process.",
            "",
            "| transfers | seconds | queries | matched | unexplained |",
            "| --- | --- | --- | --- | --- |",
            f"| {n.transfers:,} | {n.seconds:.2f} | {n.queries:,} | {n.matched:,} | {n.unexplained} |",
        ])
