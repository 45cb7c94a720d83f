"""A construct left open is reported at the line where it opens, in one line naming the file."""

from __future__ import annotations

import pytest
from amts.book import parse
from amts.errors import InputError

# An equation opened on line 3 and never closed; a correct multi-line equation much later, on lines 13-15.
OPEN_MATH = """\
# Tides

$$h(t) = a \\cos(\\omega t)

The height of the water rises and falls twice a day.

The moon pulls the water towards it.

The sun pulls as well, less strongly.

Together they make spring tides.

$$
h(t) = a_1 \\cos(\\omega_1 t) + a_2 \\cos(\\omega_2 t)
$$

That is all about tides.
"""

# A code cell whose closing fence was forgotten on line 3; the next cell (lines 8-10) is correct.
OPEN_FENCE = """\
# Sieves

```{.python .input}
primes = sieve(100)

The sieve crosses out every multiple.

```{.python .input}
print(primes[:5])
```

A final remark.
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(OPEN_MATH, 3, "unterminated $$ display math", id="$$ before a valid equation"),
        pytest.param("# T\n\nWords\n$$x = 1\n\nmore\n", 4, "unterminated $$ display math", id="$$ in prose"),
        pytest.param(
            "# T\n\n$$a = 1$$\n\nWords $$b\n\nmore\n\n$$c = 2$$\n", 5, "unterminated $$", id="$$ between equations"
        ),
        pytest.param(OPEN_FENCE, 3, "unterminated code fence ```", id="fence before a valid cell"),
        pytest.param("# T\n\n~~~python\nx = 1\n\nWords.\n", 3, "unterminated code fence ~~~", id="tilde fence"),
        pytest.param(
            "Text.\n\n:begin_tab:`pytorch`\n```python\nx\n", 4, "unterminated code fence ```", id="fence in a tab"
        ),
        pytest.param(
            "# T\n\n<pre>\n  x\n\n  y\n", 3, "unterminated raw HTML block <pre> (no closing </pre>)", id="pre"
        ),
        pytest.param("# T\n\nWords.\n\n<!-- a note\n\nmore\n", 5, "unterminated HTML comment <!--", id="comment"),
        pytest.param("---\ntitle: x\n\n# T\n", 1, "unterminated front matter", id="front matter"),
    ],
)
def test_an_open_construct_is_reported_where_it_opens(text: str, line: int, message: str) -> None:
    """Given a chapter with a construct that is opened and never closed, maybe followed by correct ones
    When it is parsed
    Then the error is one line naming the file and the line where the construct opens."""
    with pytest.raises(InputError) as caught:
        parse(text, path="chapter.md")

    error = str(caught.value)
    assert error.startswith(f"chapter.md:{line}: {message}")
    assert "\n" not in error
