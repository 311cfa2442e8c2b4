"""What text the portal accepts from outside: no lone surrogate, no control character where text makes no sense.

PostgreSQL refuses a NUL in any text and a lone surrogate in JSON, and a page cannot encode a lone surrogate to
UTF-8: such a value, once stored, breaks every page that shows it. It is refused at the edge instead.
"""

import re
from collections.abc import Iterator
from typing import Any

# Lone surrogates, C0 controls but tab, line feed and carriage return, DEL and the C1 controls.
_BAD_IN_VALUE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a name (a field's, a file's) not even a tab or a line break makes sense.
_BAD_IN_NAME = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f-\x9f]")
# JSON as the API takes it: objects and arrays nested at most this deep.
MAX_JSON_DEPTH = 32


def is_bad_value(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate or a control character other than tab and line breaks."""
    return bool(_BAD_IN_VALUE.search(text))


def is_bad_name(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate or any control character."""
    return bool(_BAD_IN_NAME.search(text))


def bad_strings(data: Any) -> Iterator[str]:
    """The path (``applicant.full_name``, ``form.0``) of each unacceptable string in parsed JSON ``data``.

    Walks the structure with a stack, not recursion, so no depth reaches Python's recursion limit."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if is_bad_value(value):
                yield path or "(body)"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if is_bad_name(key):
                    yield path or "(body)"
                    continue
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))
