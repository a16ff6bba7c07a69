"""Response shapes: the keys of an object and the JSON type of each value, never the values.

A shape is a dict (an object: every key listed must be present), a list (`[item shape]`, or `[]`
when the items are unknown) or a type string: `string`, `integer`, `number`, `boolean`,
`object`, `array`, alternatives joined by `|` (`string|null`). A recorded `null` says only that
the real value was null, so it accepts anything. A key written `?key` may be absent (the API
sends it only sometimes: `account` on Connect events only, includable fields).

`shape_from_type` writes a shape from the `stripe` package's resource classes (their typed
attributes), which is how the first committed shapes were made; `shape_of` takes one from a real
response (`make stripe-record`)."""

import types
import typing
from pathlib import Path

import stripe
from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject

RECORDED = Path(__file__).parent / "recorded"

# object name → the package's resource class
RESOURCES = {
    "account": stripe.Account, "account_link": stripe.AccountLink, "balance": stripe.Balance,
    "balance_transaction": stripe.BalanceTransaction, "charge": stripe.Charge,
    "checkout.session": stripe.checkout.Session, "customer": stripe.Customer, "dispute": stripe.Dispute,
    "event": stripe.Event, "payment_intent": stripe.PaymentIntent, "payment_method": stripe.PaymentMethod,
    "payout": stripe.Payout, "refund": stripe.Refund, "transfer": stripe.Transfer,
    "transfer_reversal": stripe.TransferReversal,
}
# Keys the package declares but the API reference marks as sent only sometimes.
SOMETIMES = {
    "balance": ("instant_available", "issuing", "refund_and_dispute_prefunding"),
    "charge": ("refunds",), "checkout.session": ("line_items",), "customer": ("sources", "subscriptions",
                                                                             "tax_ids", "cash_balance",
                                                                             "invoice_credit_balance"),
    "event": ("account", "context", "data.previous_attributes"), "payment_intent": ("amount_details",),
}
_SCALARS = {int: "integer", str: "string", bool: "boolean", float: "number"}
_LIST = {"object": "string", "data": [], "has_more": "boolean", "url": "string"}


def shape_of(value):
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape_of(value[0])] if value else []
    if value is None:
        return "null"
    return _SCALARS.get(type(value), "string")


def shape_from_type(tp, depth=0):
    """The shape the package's annotation `tp` promises (expandable fields as their id string)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        nullable = len(members) < len(args)
        if str in members and len(members) > 1 and all(_is_reference(m) for m in members if m is not str):
            shape = "string"  # an expandable field, unexpanded
        else:
            shape = shape_from_type(members[0], depth)
        if not nullable:
            return shape
        return f"{shape}|null" if isinstance(shape, str) else ("array|null" if isinstance(shape, list) else
                                                                 "object|null")
    if origin is typing.Literal:
        return _SCALARS.get(type(args[0]), "string")
    if origin in (list, typing.List):  # noqa: UP006
        return [shape_from_type(args[0], depth + 1)] if depth < 4 else "array"
    if origin is ListObject or tp is ListObject:
        return dict(_LIST)
    if tp in _SCALARS:
        return _SCALARS[tp]
    if isinstance(tp, type) and issubclass(tp, StripeObject) and getattr(tp, "__annotations__", None) \
            and tp.__module__.startswith("stripe") and depth < 4 and "OBJECT_NAME" not in tp.__annotations__:
        return {k: shape_from_type(v, depth + 1) for k, v in tp.__annotations__.items()
                if typing.get_origin(v) is not typing.ClassVar}
    return "object"


def _is_reference(member):
    return isinstance(member, typing.ForwardRef) or (isinstance(member, type) and issubclass(member, StripeObject))


def resource_shape(object_name):
    cls = RESOURCES[object_name]
    shape = {k: shape_from_type(v) for k, v in cls.__annotations__.items()
             if typing.get_origin(v) is not typing.ClassVar}
    for path in SOMETIMES.get(object_name, ()):
        *parents, key = path.split(".")
        node = shape
        for parent in parents:
            node = node[parent]
        if key in node:
            node[f"?{key}"] = node.pop(key)
    return shape


def nullable_keys(object_name):
    """The top-level keys the package types say may be null: the fake fills those it does not
    model with null, as the real API lists every key."""
    cls = RESOURCES.get(object_name)
    if cls is None:
        return ()
    return tuple(k for k, v in cls.__annotations__.items()
                 if type(None) in typing.get_args(v) and typing.get_origin(v) is not typing.ClassVar)


def mismatches(value, shape, path="$"):
    """→ descriptions of where `value` does not have `shape` (empty when it does)."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {shape_of(value)!r}"]
        found = []
        for key, sub in shape.items():
            if key.startswith("_"):
                continue
            if key.startswith("?"):
                key = key[1:]
                if key not in value:
                    continue
            if key not in value:
                found.append(f"{path}.{key}: missing")
            else:
                found.extend(mismatches(value[key], sub, f"{path}.{key}"))
        return found
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path}: expected an array, got {shape_of(value)!r}"]
        if not shape:
            return []
        return [m for i, item in enumerate(value) for m in mismatches(item, shape[0], f"{path}[{i}]")]
    allowed = set(shape.split("|"))
    if allowed == {"null"} or (value is None and "null" in allowed):
        return []
    kind = ("object" if isinstance(value, dict) else "array" if isinstance(value, list)
            else shape_of(value))
    if kind in allowed or (kind == "integer" and "number" in allowed):
        return []
    return [f"{path}: expected {shape}, got {kind}"]
