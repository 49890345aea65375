"""The words of dist/index.html, in the languages policyc ships layout labels for.

The index lists every document in every language; its own headings speak one language: the
source language of the documents it lists (the site's own language: a German company writing
its policies in German expects a German list of them). Each row's title, language name and date
stay in the row's language. A source language policyc has no words for gets English.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple


class IndexWords(NamedTuple):
    title: str  # the page's <title> and heading
    region: str  # accessible name of the scrolling table
    document: str
    language: str
    version: str
    updated: str
    translated: str
    files: str


INDEX_WORDS: dict[str, IndexWords] = {
    "en": IndexWords("Policies", "Built documents", "Document", "Language", "Version", "Updated",
                     "Translated", "Files"),
    "de": IndexWords("Richtlinien", "Veröffentlichte Dokumente", "Dokument", "Sprache", "Version",
                     "Aktualisiert", "Übersetzt", "Dateien"),
    "fr": IndexWords("Politiques", "Documents publiés", "Document", "Langue", "Version",
                     "Mise à jour", "Traduit", "Fichiers"),
    "es": IndexWords("Políticas", "Documentos publicados", "Documento", "Idioma", "Versión",
                     "Actualizado", "Traducido", "Archivos"),
    "pt_BR": IndexWords("Políticas", "Documentos publicados", "Documento", "Idioma", "Versão",
                        "Atualizado", "Traduzido", "Arquivos"),
    "ja": IndexWords("ポリシー", "公開文書", "文書", "言語", "バージョン", "更新日", "翻訳率",
                     "ファイル"),
    "ar": IndexWords("السياسات", "المستندات المنشورة", "المستند", "اللغة", "الإصدار", "آخر تحديث",
                     "نسبة الترجمة", "الملفات"),
}


def index_locale(source_locales: Iterable[str]) -> str:
    """The language of the index: the source locale most of its documents share (the first
    listed on a tie) when policyc has words for it or for its language (de_AT: de), else
    English."""
    counts = Counter(source_locales)
    for code, _ in counts.most_common():
        for candidate in (code, code.split("_")[0]):
            if candidate in INDEX_WORDS:
                return candidate
        break
    return "en"
