"""The request parameters the real API accepts, read from the `stripe` package's own typed
parameter definitions (the generated `*CreateParams` / `*ListParams` TypedDicts).

A form-encoded body is decoded into nested dicts, then checked and coerced against the TypedDict:
an unknown key, a missing required key or a value of the wrong kind is refused with the message
the real API gives, so the app cannot rely on a parameter Stripe would reject."""

import functools
import sys
import types
import typing
from typing import NotRequired, Required
from urllib.parse import parse_qsl

from stripe._request_options import RequestOptions
from typing_extensions import is_typeddict

# Keys of RequestOptions travel as headers (Stripe-Account, Idempotency-Key), never as parameters.
_OPTION_KEYS = frozenset(RequestOptions.__annotations__)


class ParamError(Exception):
    def __init__(self, param, message):
        super().__init__(message)
        self.param = param
        self.message = message


def decode_form(body):
    """`a[b][0]=x&c=y` → {"a": {"b": {"0": "x"}}, "c": "y"} (lists stay digit-keyed dicts until
    the schema says they are lists)."""
    result = {}
    for key, value in parse_qsl(body or "", keep_blank_values=True):
        parts = _split_key(key)
        node = result
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return result


def _split_key(key):
    head, _, rest = key.partition("[")
    parts = [head]
    while rest:
        part, _, rest = rest.partition("]")
        parts.append(part)
        rest = rest[1:] if rest.startswith("[") else rest
    return parts


def _name(path):
    return path[0] + "".join(f"[{p}]" for p in path[1:])


def _resolve(tp, globalns):
    if isinstance(tp, str):
        tp = typing.ForwardRef(tp)
    if isinstance(tp, typing.ForwardRef):
        return eval(tp.__forward_arg__, globalns)  # noqa: S307 (the package's own annotations)
    return tp


@functools.cache
def _keys(cls):
    globalns = vars(sys.modules[cls.__module__])
    fields = {}
    for key, tp in cls.__annotations__.items():
        if key in _OPTION_KEYS:
            continue
        tp = _resolve(tp, globalns)
        required = key in cls.__required_keys__
        origin = typing.get_origin(tp)
        if origin is NotRequired:
            tp, required = typing.get_args(tp)[0], False
        elif origin is Required:
            tp, required = typing.get_args(tp)[0], True
        fields[key] = (_resolve(tp, globalns), required, globalns)
    return fields


def check_params(raw, cls):
    """The decoded body checked against the TypedDict `cls` → the same values typed (ints, bools,
    lists). Raises ParamError naming the first offending parameter."""
    return _check_dict(raw, cls, ())


def _check_dict(raw, cls, path):
    if not isinstance(raw, dict):
        raise ParamError(_name(path), f"Invalid object: {_name(path)}")
    fields = _keys(cls)
    out = {}
    for key, value in raw.items():
        if key not in fields:
            name = _name((*path, key))
            raise ParamError(name, f"Received unknown parameter: {name}")
        tp, _, globalns = fields[key]
        out[key] = _coerce(value, tp, (*path, key), globalns)
    for key, (_, required, _) in fields.items():
        if required and key not in raw:
            name = _name((*path, key))
            raise ParamError(name, f"Missing required param: {name}.")
    return out


def _members(tp, globalns):
    tp = _resolve(tp, globalns)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        found = []
        for arg in typing.get_args(tp):
            found.extend(_members(arg, globalns))
        return found
    return [tp]


def _coerce(value, tp, path, globalns):
    members = _members(tp, globalns)
    errors = []
    # Try the structured readings first: an empty string may mean "unset" (Literal['']).
    for member in sorted(members, key=_rank):
        try:
            return _coerce_one(value, member, path, globalns)
        except ParamError as error:
            errors.append(error)
    raise errors[-1] if len(errors) == 1 else _most_specific(errors, path)


def _most_specific(errors, path):
    deeper = [e for e in errors if e.param != _name(path)]
    return deeper[0] if deeper else errors[0]


def _rank(member):
    if typing.get_origin(member) is typing.Literal:
        return 0
    if is_typeddict(member):
        return 1
    return 2


def _coerce_one(value, tp, path, globalns):
    name = _name(path)
    origin = typing.get_origin(tp)
    if tp is typing.Any:
        return value
    if origin is typing.Literal:
        if value in typing.get_args(tp):
            return value
        raise ParamError(name, f"Invalid {name}: must be one of {', '.join(map(str, typing.get_args(tp)))}")
    if is_typeddict(tp):
        return _check_dict(value, tp, path)
    if origin in (list, typing.List):  # noqa: UP006
        return _coerce_list(value, typing.get_args(tp)[0], path, globalns)
    if origin in (dict, typing.Dict) or getattr(origin, "__name__", "") == "UntypedStripeObject":  # noqa: UP006
        if not isinstance(value, dict):
            raise ParamError(name, f"Invalid object: {name}")
        if path[-1] == "metadata":
            _check_metadata(value, name)
        return {k: v for k, v in value.items()}
    if isinstance(tp, type) and tp.__name__ == "UntypedStripeObject":
        return value
    return _coerce_scalar(value, tp, name)


def _coerce_list(value, item_tp, path, globalns):
    name = _name(path)
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        items = [value[k] for k in sorted(value, key=int)]
    elif value == "":
        return []
    else:
        raise ParamError(name, f"Invalid array: {name}")
    return [_coerce(item, item_tp, (*path, str(i)), globalns) for i, item in enumerate(items)]


def _coerce_scalar(value, tp, name):
    if isinstance(value, dict):
        raise ParamError(name, f"Invalid {getattr(tp, '__name__', 'value')}: {name} cannot be an object")
    if tp is bool:
        if value in ("true", "false"):
            return value == "true"
        raise ParamError(name, f"Invalid boolean: {value}")
    if tp is int:
        try:
            return int(value)
        except ValueError:
            raise ParamError(name, f"Invalid integer: {value}") from None
    if tp is float:
        try:
            return float(value)
        except ValueError:
            raise ParamError(name, f"Invalid decimal: {value}") from None
    return value


def _check_metadata(value, name):
    """Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500."""
    if len(value) > 50:
        raise ParamError(name, "Invalid metadata: metadata can have up to 50 keys, but you passed in "
                               f"{len(value)} keys.")
    for key, item in value.items():
        if len(key) > 40:
            raise ParamError(f"{name}[{key}]", "Metadata keys can have up to 40 characters, but you passed in a "
                                               f"key that is {len(key)} characters. Invalid key: '{key}'")
        if isinstance(item, dict) or len(item) > 500:
            raise ParamError(f"{name}[{key}]", "Metadata values can have up to 500 characters, but you passed in a "
                                               f"value that is {len(item)} characters. Invalid value: {key}")
