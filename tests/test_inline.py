"""The inline markup parser, shared by sources and translations."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compiler.inline import markup_shape, parse_inline, placeholders
from compiler.model import Emphasis, Link, Placeholder, Strong, Text, plain_text


def test_markup_subset() -> None:
    nodes, errors = parse_inline("**Bold** *it* [site](https://a.example) {company} x@y.org")
    assert not errors
    assert nodes[0] == Strong((Text("Bold"),))
    assert Emphasis((Text("it"),)) in nodes
    assert Link("https://a.example", (Text("site"),)) in nodes
    assert Placeholder("company") in nodes
    assert Link("mailto:x@y.org", (Text("x@y.org"),)) in nodes


def test_autolink_url_stops_before_punctuation() -> None:
    nodes, _ = parse_inline("See https://example.com/a.")
    assert nodes[1] == Link("https://example.com/a", (Text("https://example.com/a"),))
    assert nodes[2] == Text(".")


def test_errors_have_offsets() -> None:
    _, errors = parse_inline("ok **open")
    assert errors[0].offset == 3 and "unclosed bold" in errors[0].message
    _, errors = parse_inline("[x](javascript:alert(1))")
    assert "not allowed" in errors[0].message
    _, errors = parse_inline("{not a name}")
    assert "invalid placeholder" in errors[0].message


def test_escapes_are_literal() -> None:
    nodes, errors = parse_inline(r"\*not bold\* \{not a var\}")
    assert not errors
    assert nodes == (Text("*not bold* {not a var}"),)


def test_placeholders_and_shape() -> None:
    nodes, _ = parse_inline("[mail]({privacy_email}) and **{company}**")
    assert placeholders(nodes) == ["privacy_email", "company"]
    assert markup_shape(nodes) == ["bold", "link {privacy_email}"]


@given(st.text(alphabet=st.characters(blacklist_characters="\\*[]{}()_`"), max_size=80))
def test_plain_text_round_trips(text: str) -> None:
    nodes, errors = parse_inline(text)
    assert not errors
    assert plain_text(nodes) == text


def test_deep_nesting_is_a_located_error_not_a_crash() -> None:
    from compiler.inline import MAX_DEPTH

    for opener in ("[", "**x *y ", "[*"):
        _, errors = parse_inline(opener * 600 + "x")
        [error] = errors  # one broken string does not flood the log
        assert error.message == f"inline markup nested more than {MAX_DEPTH} levels deep"
    _, errors = parse_inline("*a **b [c *d* c](#x) b** a*")
    assert not errors


def test_parser_time_is_linear_in_the_input() -> None:
    """A 1 MB word (or address-like run) parses in about twice the time of 512 kB."""
    import time

    shapes = ["a" * 2**19, "a." * 2**18 + "@", "x@" + "a1." * 2**17, "http://" + "." * 2**19,
              "a@" * 2**18, "[](" * 2**17, "{" * 2**19]
    for shape in shapes:
        times = [float("inf"), float("inf")]
        for _ in range(3):  # the best of three, interleaved; CPU time: a busy neighbour on
            for i, text in enumerate((shape, shape * 2)):  # the same cores adds wall time
                started = time.process_time()  # (the suite runs on 2 busy cores), not this
                parse_inline(text)
                times[i] = min(times[i], time.process_time() - started)
        assert times[1] < 4 * times[0] + 0.05, (shape[:10], times)


def test_merging_text_is_linear() -> None:
    """'a* a* a* ...' yields a Text node per piece; joining them pairwise was quadratic."""
    import time

    from compiler.inline import merge_text

    pieces = [Text("ab")] * 200_000
    started = time.process_time()  # CPU time: quadratic joining took minutes
    assert merge_text(pieces) == (Text("ab" * 200_000),)
    assert time.process_time() - started < 1.0
    nodes, _ = parse_inline("a* " * 1000)
    assert nodes == (Text("a* " * 1000),)


def test_a_string_is_parsed_once_and_callers_cannot_spoil_the_cache() -> None:
    """The loader, the translation checks and localization ask for the same strings."""
    text = "**bold** [unclosed"
    nodes, errors = parse_inline(text)
    errors.clear()
    again, errors_again = parse_inline(text)
    assert again is nodes
    assert [e.offset for e in errors_again] == [9, 9]
    long = "word " * 500  # long strings are parsed each time: the cache stays small
    assert parse_inline(long)[0] == parse_inline(long)[0]
    assert parse_inline(long)[0] is not parse_inline(long)[0]
