"""aws-cli's shorthand syntax, the one parser every `azlab` option that takes it uses.

    parameter = keyval *("," keyval)
    keyval    = key "=" [values]
    key       = 1*(letter / digit / "-" / "_" / "." / "#" / "/" / ":")
    values    = explicit-list / hash / csv-list
    csv-list  = value *("," value)       ; ends where the next item reads key "="
    explicit-list = "[" [item *("," item)] "]"
    hash      = "{" [key "=" item *("," key "=" item)] "}"
    item      = explicit-list / hash / value
    value     = 'single quoted' / "double quoted" / bare

So `Name=x,Values=a,b` is {"Name": "x", "Values": ["a", "b"]} and
`Tags=[{Key=a,Value=b}]` a list of one hash. Whitespace around tokens is
ignored (inside a bare value it is kept), `Key=` is an empty string, a quote
or a backslash inside a quoted value is escaped with a backslash, and `\\,`
is a comma inside a bare value. A bare value at the top level runs to the next
comma (it may hold `=`); inside `[...]` or `{...}` it also ends at `]` or `}`.

As aws-cli (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-shorthand.html),
without its `key@=file://...` form; a key given twice is an error, as in aws-cli v2.
The parse knows no model: callers check keys and types (`parse_flat` does it
for a structure of strings) and map `ShorthandError` to their service's error.
"""

from __future__ import annotations

import json
import string
from collections.abc import Collection
from typing import Any

Value = str | list["Value"] | dict[str, "Value"]

KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_.#/:")
QUOTES = ("'", '"')


class ShorthandError(ValueError):
    """Input that is not shorthand; the message (one line) says where and what was expected."""


def parse(text: str) -> dict[str, Value]:
    """`A=1,B=x,y,C={D=[e,f]}` -> {"A": "1", "B": ["x", "y"], "C": {"D": ["e", "f"]}}."""
    return _Parser(text).parameter()


def parse_option(text: str) -> Any:
    """A structured option as aws-cli reads it: JSON when it starts with `{` or `[`, shorthand otherwise."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError as e:
            raise ShorthandError(f"invalid JSON {text!r}: {e}") from None
    return parse(text)


def parse_flat(text: str, keys: Collection[str] | None = None, required: Collection[str] = ()) -> dict[str, str]:
    """`parse` for a structure (or map) whose members are single strings.

    With `keys`, any other key is an error; every key in `required` must be given.
    """
    fields = parse(text)
    for key, value in fields.items():
        if keys is not None and key not in keys:
            raise ShorthandError(f"{text!r}: unknown key {key!r}; expected {', '.join(keys)}")
        if not isinstance(value, str):
            raise ShorthandError(f"{text!r}: {key} takes one value, not a {'list' if isinstance(value, list) else 'hash'}"
                                 f" (quote a value that holds a comma or a brace: {key}='a,b')")
    missing = [key for key in required if key not in fields]
    if missing:
        raise ShorthandError(f"{text!r}: missing {', '.join(f'{key}=...' for key in missing)}")
    return fields


class _Parser:
    """Recursive descent over `text`, one method per rule of the grammar above; `i` is the position."""

    def __init__(self, text: str):
        self.text, self.i = text, 0

    def parameter(self) -> dict[str, Value]:
        params: dict[str, Value] = {}
        while True:
            start = self.i
            key = self.key()
            if key in params:
                self.i = start
                raise self.error(f"each key once ({key} is given twice)")
            self.expect("=")
            params[key] = self.values()
            if self.peek() == "":
                return params
            self.expect(",")

    def key(self) -> str:
        self.peek()
        start = self.i
        while self.i < len(self.text) and self.text[self.i] in KEY_CHARS:
            self.i += 1
        if self.i == start:
            raise self.error("a key (letters, digits, - _ . # / :)")
        return self.text[start:self.i]

    def values(self) -> Value:
        if self.peek() in ("[", "{"):
            return self.item()
        items = [self.value(",")]
        while self.list_goes_on():
            self.expect(",")
            items.append(self.value(","))
        return items[0] if len(items) == 1 else items

    def list_goes_on(self) -> bool:
        """After `Values=a`: is `,b` another item of the list, or `,Name=x` the next keyval?"""
        if self.peek() != ",":
            return False
        after = self.i + 1
        while after < len(self.text) and self.text[after].isspace():
            after += 1
        if self.text[after:after + 1] in QUOTES:
            return True
        item = self.text[after:self._bare_end(after, ",")]
        return item != "" and item[0] not in "[{" and "=" not in item

    def explicit_list(self) -> list[Value]:
        self.expect("[")
        items = []
        while self.peek() != "]":
            items.append(self.item())
            if self.peek() != "]":
                self.expect(",", "',' or ']'")
        self.expect("]")
        return items

    def hash(self) -> dict[str, Value]:
        self.expect("{")
        pairs: dict[str, Value] = {}
        while self.peek() != "}":
            key = self.key()
            self.expect("=")
            pairs[key] = self.item()
            if self.peek() != "}":
                self.expect(",", "',' or '}'")
        self.expect("}")
        return pairs

    def item(self) -> Value:
        first = self.peek()
        if first == "[":
            return self.explicit_list()
        if first == "{":
            return self.hash()
        return self.value(",]}")

    def value(self, stops: str) -> str:
        quote = self.peek()
        if quote in QUOTES:
            return self.quoted(quote)
        start, self.i = self.i, self._bare_end(self.i, stops)
        return self.text[start:self.i].replace("\\,", ",").rstrip()

    def quoted(self, quote: str) -> str:
        start, chars = self.i, []
        self.i += 1
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == "\\" and self.text[self.i + 1:self.i + 2] in (quote, "\\"):
                char = self.text[self.i + 1]
                self.i += 1
            elif char == quote:
                self.i += 1
                return "".join(chars)
            chars.append(char)
            self.i += 1
        raise ShorthandError(f"{self.text!r} at character {start + 1}: this quote is never closed (expected a closing {quote})")

    def _bare_end(self, i: int, stops: str) -> int:
        while i < len(self.text) and self.text[i] not in stops:
            i += 2 if self.text.startswith("\\,", i) else 1
        return i

    def peek(self) -> str:
        """The next character after whitespace (which it skips), or "" at the end."""
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1
        return self.text[self.i:self.i + 1]

    def expect(self, char: str, expected: str = "") -> None:
        if self.peek() != char:
            raise self.error(expected or repr(char))
        self.i += 1

    def error(self, expected: str) -> ShorthandError:
        found = repr(self.text[self.i]) if self.i < len(self.text) else "the end"
        return ShorthandError(f"{self.text!r} at character {self.i + 1}: expected {expected}, found {found}")
