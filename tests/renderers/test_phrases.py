"""Japanese and Chinese titles break between phrases: BudouX's phrases kept whole in spans."""

from __future__ import annotations

import lxml.html

from compiler.renderers.phrases import MAX_PHRASE, keep_phrases

SUBTITLE = "InfinityDeskがお客様の情報をどのように収集、利用、開示および保護するかについて説明します。"


def _spans(markup: str) -> tuple[str, list[str]]:
    root = lxml.html.fragment_fromstring(f"<p>{markup}</p>")
    return root.text_content(), [s.text_content() for s in root.find_class("phrase")]


def test_japanese_phrases_are_kept_whole_and_the_text_unchanged() -> None:
    text, phrases = _spans(keep_phrases(SUBTITLE, "ja"))
    assert text == SUBTITLE  # nothing added: copying gives the plain subtitle
    assert phrases[-1] == "説明します。"
    assert "お客様の" in phrases and all(1 < len(p) <= MAX_PHRASE for p in phrases)


def test_chinese_scripts_and_other_languages() -> None:
    assert _spans(keep_phrases("我们如何收集和使用您的个人信息", "zh-Hans"))[1]
    assert _spans(keep_phrases("我們如何收集和使用您的個人資料", "zh-Hant"))[1]
    assert keep_phrases("Tom & Jerry <b>", "en") == "Tom &amp; Jerry &lt;b&gt;"
    assert keep_phrases("Datenschutz", "de") == "Datenschutz"


def test_markup_in_a_title_is_escaped() -> None:
    text, _ = _spans(keep_phrases("<script>お客様の情報</script>", "ja"))
    assert text == "<script>お客様の情報</script>"
