"""Which addresses people type are made links (``{% if value is web_link %}``)."""

from __future__ import annotations

import pytest

from cocreate.core.http import is_web_link


@pytest.mark.parametrize("value", [
    "https://meet.example.org/ninove-samen",
    "http://192.168.1.10:8080/room?id=3#start",
    "HTTPS://Example.org",
    'https://example.org/"onmouseover="alert(1)"',  # a link; its quote is escaped in href
])
def test_web_addresses_are_links(value):
    assert is_web_link(value)


@pytest.mark.parametrize("value", [
    None, "", "meet.example.org", "/en/login", "//example.org/x",
    "javascript:alert(1)", "JavaScript:alert(1)", "javascript://example.org/%0aalert(1)",
    " javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "ftp://example.org", "mailto:someone@example.org", "https:/example.org", "https://",
    " https://example.org", "https://example.org/a b", "https:\\\\example.org",
    "https://[::1", "https://example.org/" + "x" * 2000,
])
def test_anything_else_stays_text(value):
    assert not is_web_link(value)
