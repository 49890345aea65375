"""The starter policy's text in the languages policyc ships layout labels for.

`policyc init --source-locale de` writes a German starter: a German author edits German text
and translates it out, as the project says. The YAML comments that teach the format stay
English (like the keys they explain). Another source language gets the English text.
"""

from __future__ import annotations

from typing import NamedTuple


class StarterText(NamedTuple):
    title: str  # when neither --title nor --id names the policy
    description: str
    summary: str  # the first version's entry in the history
    comment: str  # a note for translators
    introduction: str
    explains: str
    notice: str
    what_we_do: str
    collect: str
    collect_text: str
    keep: str
    keep_text: str
    contact: str
    questions: str


STARTERS: dict[str, StarterText] = {
    "en": StarterText(
        "Privacy Policy", "A short summary shown under the title and in search results.",
        "First published version.",
        "A note for translators becomes a '#.' comment in the catalogs.",
        "Introduction", "This policy explains how **{company}** handles the matters it covers.",
        "We give {notice_period} notice before a material change takes effect.",
        "What We Do", "Collect", "only what we need.", "Keep",
        "it safe and no longer than necessary.", "Contact",
        "Questions? Write to {contact_email}."),
    "de": StarterText(
        "Datenschutzerklärung",
        "Eine kurze Zusammenfassung, die unter dem Titel und in Suchergebnissen erscheint.",
        "Erste veröffentlichte Fassung.",
        "Ein Hinweis für Übersetzer wird in den Katalogen zu einem '#.'-Kommentar.",
        "Einleitung",
        "Diese Richtlinie erklärt, wie **{company}** mit den Themen umgeht, die sie regelt.",
        "Wir kündigen eine wesentliche Änderung {notice_period} vor ihrem Inkrafttreten an.",
        "Was wir tun", "Erheben", "nur, was wir brauchen.", "Aufbewahren",
        "sicher und nicht länger als nötig.", "Kontakt",
        "Fragen? Schreiben Sie an {contact_email}."),
    "fr": StarterText(
        "Politique de confidentialité",
        "Un bref résumé affiché sous le titre et dans les résultats de recherche.",
        "Première version publiée.",
        "Une note pour les traducteurs devient un commentaire « #. » dans les catalogues.",
        "Introduction",
        "Cette politique explique comment **{company}** traite les questions qu’elle couvre.",
        "Nous annonçons toute modification importante {notice_period} avant son entrée en "
        "vigueur.",
        "Ce que nous faisons", "Collecter", "uniquement ce dont nous avons besoin.",
        "Conserver", "en sécurité et pas plus longtemps que nécessaire.", "Contact",
        "Des questions ? Écrivez à {contact_email}."),
    "es": StarterText(
        "Política de privacidad",
        "Un breve resumen que se muestra bajo el título y en los resultados de búsqueda.",
        "Primera versión publicada.",
        "Una nota para los traductores se convierte en un comentario '#.' en los catálogos.",
        "Introducción",
        "Esta política explica cómo **{company}** trata los asuntos que abarca.",
        "Avisamos con {notice_period} de antelación antes de que entre en vigor un cambio "
        "importante.",
        "Qué hacemos", "Recopilar", "solo lo que necesitamos.", "Conservar",
        "de forma segura y no más tiempo del necesario.", "Contacto",
        "¿Preguntas? Escríbanos a {contact_email}."),
    "pt_BR": StarterText(
        "Política de Privacidade",
        "Um breve resumo exibido abaixo do título e nos resultados de busca.",
        "Primeira versão publicada.",
        "Uma nota para os tradutores vira um comentário '#.' nos catálogos.",
        "Introdução",
        "Esta política explica como a **{company}** trata os assuntos que abrange.",
        "Avisamos com {notice_period} de antecedência antes que uma mudança relevante entre "
        "em vigor.",
        "O que fazemos", "Coletar", "apenas o que precisamos.", "Guardar",
        "com segurança e não por mais tempo que o necessário.", "Contato",
        "Dúvidas? Escreva para {contact_email}."),
    "ja": StarterText(
        "プライバシーポリシー", "タイトルの下と検索結果に表示される短い概要です。",
        "最初の公開版。", "翻訳者へのメモは、カタログの「#.」コメントになります。",
        "はじめに", "本ポリシーは、**{company}**が対象とする事項をどのように取り扱うかを説明します。",
        "本ポリシーの重大な変更は、発効の{notice_period}前までにお知らせします。",
        "私たちの取り組み", "収集", "必要なものだけ。", "保管", "安全に、必要な期間を超えずに。",
        "お問い合わせ", "ご質問は{contact_email}までお寄せください。"),
    "ar": StarterText(
        "سياسة الخصوصية", "ملخص قصير يظهر تحت العنوان وفي نتائج البحث.",
        "أول إصدار منشور.", "تصبح الملاحظة الموجهة إلى المترجمين تعليقًا '#.' في الكتالوجات.",
        "مقدمة", "توضح هذه السياسة كيف تتعامل **{company}** مع المسائل التي تغطيها.",
        "نُعلن عن أي تغيير جوهري قبل {notice_period} من سريانه.",
        "ما نقوم به", "نجمع", "ما نحتاج إليه فقط.", "نحفظ",
        "البيانات بأمان ولا نحتفظ بها أطول من اللازم.", "اتصل بنا",
        "لديك أسئلة؟ راسلنا على {contact_email}."),
}


def starter(code: str) -> StarterText | None:
    """The starter text in a locale or its language (de_AT: de), or None."""
    return STARTERS.get(code) or STARTERS.get(code.split("_", maxsplit=1)[0])


def yaml_values(text: StarterText) -> dict[str, str]:
    """Each text as a YAML scalar: plain when YAML reads it back as the same string (the
    English starter as it always was), else quoted."""
    import json

    import yaml

    def scalar(value: str) -> str:
        try:
            plain = yaml.safe_load(f"k: {value}") == {"k": value}
        except yaml.YAMLError:
            plain = False
        return value if plain else json.dumps(value, ensure_ascii=False)

    return {name: scalar(value) for name, value in text._asdict().items()}
