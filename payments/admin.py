"""Admin: the ledger is read-only here as everywhere (corrections are new transactions made
through the services); the other payments records can be inspected and searched."""

from django.contrib import admin

from .models import (
    Account,
    BudgetChange,
    CommissionReport,
    CommittedTotal,
    Dispute,
    Entry,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    LedgerTotal,
    MonthTotal,
    PaymentCustomer,
    PaymentSettings,
    Payout,
    PayoutAccount,
    ProviderCharge,
    ProviderEvent,
    ProviderIntent,
    ReconciliationException,
    ReconciliationRun,
    RefundRequest,
    ReleasedRefund,
    RetainerPeriod,
    ReviewClock,
    TaxDetails,
    TimeEntry,
    Timesheet,
    Transaction,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ["account", "amount", "currency"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "workspace", "engagement", "milestone", "automatic", "actor", "created_at"]
    list_filter = ["kind", "automatic"]
    search_fields = ["idempotency_key", "memo"]
    list_select_related = ["workspace", "engagement", "milestone", "actor"]
    inlines = [EntryInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "workspace", "engagement", "freelancer", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["workspace", "engagement", "freelancer"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "account", "amount", "currency"]
    list_select_related = ["transaction", "account"]


@admin.register(LedgerTotal)
class LedgerTotalAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "currency", "account_kind", "transaction_kind", "amount"]
    list_filter = ["account_kind", "transaction_kind"]
    list_select_related = ["engagement"]


@admin.register(CommittedTotal)
class CommittedTotalAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "currency", "amount", "in_escrow", "payable"]
    list_select_related = ["engagement"]


@admin.register(MonthTotal)
class MonthTotalAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "currency", "slot", "released", "paid_out"]
    list_select_related = ["engagement"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "side", "escrowed", "currency", "opened_at", "resolved_at", "outcome"]
    list_filter = ["side", "outcome"]
    list_select_related = ["milestone"]


@admin.register(ReviewClock)
class ReviewClockAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "submitted_at", "deadline_at", "extended_days"]
    list_select_related = ["milestone"]


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "old_budget", "new_budget", "currency", "changed_by", "changed_at"]
    list_select_related = ["engagement", "changed_by"]


class TimeEntryInline(admin.TabularInline):
    model = TimeEntry
    extra = 0
    can_delete = False
    readonly_fields = ["day", "minutes", "description", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Timesheet)
class TimesheetAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "week_start", "state", "submitted_at", "approval_deadline_at"]
    list_filter = ["state"]
    list_select_related = ["engagement"]
    inlines = [TimeEntryInline]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["freelancer", "engagement", "amount", "currency", "method", "reference", "paid_on"]
    list_filter = ["method"]
    search_fields = ["reference"]
    list_select_related = ["freelancer", "engagement"]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "review_window_days", "updated_at"]


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["timesheet", "day", "minutes", "description"]
    list_select_related = ["timesheet"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "freelancer", "workspace", "total", "currency", "issued_on", "self_billed"]
    list_filter = ["kind", "self_billed"]
    search_fields = ["number", "issuer_legal_name", "recipient_legal_name"]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "position", "description", "amount"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ReadOnlyAdmin):
    list_display = ["freelancer", "year", "last_number"]


@admin.register(TaxDetails)
class TaxDetailsAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "tax_id", "workspace", "freelancer"]
    search_fields = ["legal_name", "tax_id"]


@admin.register(RetainerPeriod)
class RetainerPeriodAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "starts_on", "ends_on", "amount", "currency", "hours_included", "state"]
    list_filter = ["state"]
    list_select_related = ["engagement"]


@admin.register(CommissionReport)
class CommissionReportAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "period", "base_amount", "percent", "commission_amount", "currency", "status"]
    list_filter = ["status"]
    list_select_related = ["engagement"]


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = ["freelancer", "provider_account_id", "status", "payouts_enabled", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["provider_account_id"]
    list_select_related = ["freelancer"]


@admin.register(ProviderIntent)
class ProviderIntentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "idempotency_key", "status", "provider_id", "amount", "currency", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["idempotency_key", "provider_id", "payment_intent_id"]


@admin.register(PaymentCustomer)
class PaymentCustomerAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "provider_customer_id", "payment_method_label", "saved_at"]
    search_fields = ["provider_customer_id"]


@admin.register(ProviderCharge)
class ProviderChargeAdmin(ReadOnlyAdmin):
    list_display = ["purpose", "ledger_key", "status", "amount", "currency", "updated_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["ledger_key"]
    list_select_related = ["engagement"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "account", "received_at", "processed_at", "attempts"]
    list_filter = ["type"]
    search_fields = ["event_id", "account"]


class ReconciliationExceptionInline(admin.TabularInline):
    model = ReconciliationException
    extra = 0
    can_delete = False
    fields = ["provider_id", "amount", "currency", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "workspace", "matched", "unexplained_count"]
    inlines = [ReconciliationExceptionInline]


@admin.register(ReconciliationException)
class ReconciliationExceptionAdmin(ReadOnlyAdmin):
    list_display = ["run", "provider_id", "amount", "currency", "reason"]
    search_fields = ["provider_id"]


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "amount", "status", "requested_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["milestone", "requested_by"]


@admin.register(ReleasedRefund)
class ReleasedRefundAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "amount", "from_payable", "from_paid_out", "currency", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["ledger_key", "reference"]
    list_select_related = ["milestone"]
