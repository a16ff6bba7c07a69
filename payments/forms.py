"""Forms for the owner's money pages. Amounts are typed in major units ("1500.00") and cleaned
to integer minor units of the engagement's currency. Every money form carries a generated
idempotency key, so a double-submitted form does the action once."""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from accounts.fields import SingleLineField
from accounts.forms import check_money_limit

from .gateways import method_choices
from .models import MAX_EXTENSION_DAYS, PaymentSettings
from .money import exponent, format_money, to_minor


def major_str(minor, currency):
    """Minor units as the decimal text a form shows: 150000 USD → "1500.00"."""
    places = exponent(currency)
    return f"{Decimal(minor) / Decimal(10) ** places:.{places}f}"


def new_idempotency_key():
    return f"web-{uuid.uuid4()}"


class MoneyField(forms.DecimalField):
    """A decimal amount in major units of `currency`, cleaned to int minor units."""

    def __init__(self, *, currency="USD", allow_zero=False, **kwargs):
        self.currency = currency
        self.allow_zero = allow_zero
        places = exponent(currency)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(decimal_places=places, **kwargs)  # one limit for all: check_money_limit
        self.widget.attrs.update({"step": "1" if places == 0 else f"0.{'0' * (places - 1)}1",
                                  "inputmode": "decimal"})

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        minor = check_money_limit(to_minor(amount, self.currency))
        if minor == 0 and not self.allow_zero:
            raise forms.ValidationError("Enter an amount greater than zero.")
        return minor


class IdempotentForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class FundForm(IdempotentForm):
    # What the owner saw on the confirmation page; the service refuses if it changed since.
    expected_amount = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReleaseForm(IdempotentForm):
    pass


class RefundForm(IdempotentForm):
    reason = forms.CharField(label="Why (sent to the freelancer)", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RefundRequestForm(IdempotentForm):
    reason = forms.CharField(label="Why you ask for money back (sent to the freelancer)", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MoneyField(currency=currency, required=False, label=f"How much ({currency})",
                                           help_text="Leave empty to ask for everything not refunded yet.")
        self.order_fields(["reason", "amount", "idempotency_key"])


class DisputeForm(IdempotentForm):
    reason = forms.CharField(label="What is the dispute about?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The freelancer sees this. Be specific: what was agreed, what was delivered.")


class ResolveForm(IdempotentForm):
    note = forms.CharField(label="What was agreed", required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, currency, escrowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.escrowed, self.currency = escrowed, currency
        self.fields["release_amount"] = MoneyField(currency=currency, allow_zero=True,
                                                   label=f"Release to the freelancer ({currency})")
        self.fields["refund_amount"] = MoneyField(currency=currency, allow_zero=True,
                                                  label=f"Refund to you ({currency})")
        self.order_fields(["release_amount", "refund_amount", "note", "idempotency_key"])

    def clean(self):
        cleaned = super().clean()
        release, refund = cleaned.get("release_amount"), cleaned.get("refund_amount")
        if release is not None and refund is not None and release + refund != self.escrowed:
            money = lambda amount: format_money(amount, self.currency)  # noqa: E731
            raise forms.ValidationError(f"The two amounts must add up to exactly what is held "
                                        f"({money(self.escrowed)}); these add up to {money(release + refund)}.")
        return cleaned


class ExtendForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS, initial=7,
                              help_text=f"1 to {MAX_EXTENSION_DAYS} days. Only once per submission.")
    reason = forms.CharField(required=False, max_length=300, help_text="Optional; the freelancer sees it.")


class BudgetForm(forms.Form):
    contingency_percent = forms.IntegerField(min_value=0, max_value=100, label="Contingency (%)")
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept with the change, e.g. “Extra page agreed on the 3 March call”.")

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"] = MoneyField(currency=currency, allow_zero=True, label=f"Budget ({currency})")
        self.order_fields(["budget", "contingency_percent", "reason"])


class BonusForm(IdempotentForm):
    note = forms.CharField(max_length=300, help_text="What it is for; the freelancer sees it.")

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MoneyField(currency=currency, label=f"Amount ({currency})")
        self.order_fields(["amount", "note", "idempotency_key"])


class PayoutForm(IdempotentForm):
    method = forms.ChoiceField(choices=(), label="Sent by")
    reference = forms.CharField(
        max_length=120, label="Transfer reference",
        help_text="The reference of the transfer (bank or PayPal transaction id). Never a card or account number.",
    )
    paid_on = forms.DateField(label="Sent on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, currency, owed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", "Choose…"), *method_choices()]
        self.fields["amount"] = MoneyField(currency=currency, label=f"Amount ({currency})")
        self.order_fields(["amount", "method", "reference", "paid_on", "note", "idempotency_key"])
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())
            self.initial.setdefault("amount", major_str(owed, currency) if owed > 0 else None)


class TimesheetDisputeForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             label="What is wrong with this week?")


class PaymentSettingsForm(forms.ModelForm):
    class Meta:
        model = PaymentSettings
        fields = ["review_window_days"]
        labels = {"review_window_days": "Review window (days)"}


# --- Invoices ---------------------------------------------------------------------------------
class TaxDetailsForm(forms.Form):
    """Either side's tax details; the freelancer's also carry the tax rate of their invoices."""

    legal_name = SingleLineField(max_length=200, help_text="As it must appear on invoices.")
    address = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Street, postcode and city, one per line.")
    country = forms.RegexField(r"^[A-Za-z]{2}$", max_length=2, help_text="Two-letter ISO code, e.g. DE, FR, GB, US.",
                               error_messages={"invalid": "Enter the two-letter ISO code of the country, e.g. DE."})
    tax_id = forms.CharField(label="Tax id", max_length=40, required=False,
                             help_text="Your VAT number (EU: with or without the country prefix) or tax number. "
                                       "Checked against the country's format.")
    tax_rate = forms.DecimalField(label="Tax rate (%)", min_value=0, max_value=100, decimal_places=2, required=False,
                                  initial=0, help_text="Included in what you are paid. 0: “no tax charged”. Not "
                                                       "applied under EU reverse charge.")

    def __init__(self, *args, with_rate=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_rate:
            del self.fields["tax_rate"]

    @classmethod
    def for_holder(cls, data=None, *, current, workspace=None, freelancer=None):
        """The form for the workspace's (no tax rate) or the freelancer's details (`current`, the
        TaxDetails row or None), filled with what they saved, or before that with the name and
        country the app already knows."""
        with_rate = freelancer is not None
        if current is not None:
            initial = {"legal_name": current.legal_name, "address": current.address, "country": current.country,
                       "tax_id": current.tax_id, "tax_rate": current.tax_rate_bp / 100}
        elif with_rate:
            initial = {"legal_name": freelancer.name, "country": freelancer.country, "tax_rate": 0}
        else:
            initial = {"legal_name": workspace.name}
        return cls(data, initial=initial, with_rate=with_rate)

    def details(self):
        data = dict(self.cleaned_data)
        rate = data.pop("tax_rate", None)
        return {**data, "tax_rate_bp": None if rate is None else int(rate * 100)}


class IssueInvoiceForm(forms.Form):
    transaction = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    tax_rate = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, required=False)


class CreditNoteForm(forms.Form):
    reason = SingleLineField(max_length=300, help_text="Shown on the credit note.")

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MoneyField(currency=currency, label=f"Amount to credit ({currency})")
        self.order_fields(["amount", "reason"])


# --- Pay models (retainer periods, commission reports) ----------------------------------------
class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             label="What is the dispute about?", help_text="The other side sees this.")


class CommissionReportForm(forms.Form):
    period = forms.DateField(widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                             input_formats=["%Y-%m", "%Y-%m-%d"], label="Month",
                             help_text="The month the amount was earned in.")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Optional: where the figure comes from. The freelancer sees it.")

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_amount"] = MoneyField(currency=currency, label=f"Amount reported ({currency})",
                                                help_text="The commission is computed from it, half up to the cent.")
        self.order_fields(["period", "base_amount", "note"])
