"""A hand-built LocalizedDocument (en, ar, ja) with every block type the DOCX renderer maps."""

from __future__ import annotations

import datetime as dt
import itertools

from compiler.errors import Loc
from compiler.model import (
    Block,
    CallToAction,
    Completeness,
    Contact,
    ContactEntry,
    Document,
    Emphasis,
    Inline,
    ItemList,
    Labels,
    Language,
    Link,
    ListItem,
    LocalizedDocument,
    Meta,
    Note,
    NoteKind,
    Paragraph,
    Rich,
    Section,
    Strong,
    Table,
    Text,
)

EMAIL, PHONE, WEB = "privacy@acme.example", "tel:+15550100", "https://acme.example/privacy"

# key -> (en, ar, ja)
T: dict[str, tuple[str, str, str]] = {
    "title": ("Acme Cloud Privacy Policy", "سياسة الخصوصية لشركة أكمي كلاود",
              "Acme Cloud プライバシーポリシー"),
    "intro": ("Introduction", "مقدمة", "はじめに"),
    "intro.p1": ("This policy explains how Acme Cloud handles your personal data.",
                 "توضح هذه السياسة كيف تتعامل أكمي كلاود مع بياناتك الشخصية.",
                 "本ポリシーは、Acme Cloud が個人データをどのように取り扱うかを説明します。"),
    "intro.strong": ("We protect it", "نحن نحميها", "当社はデータを保護します"),
    "intro.p2": (" with care and ", " بعناية و", "。慎重に、そして"),
    "intro.em": ("never sell it.", "لا نبيعها أبدًا.", "決して販売しません。"),
    "note.important": ("Read this policy carefully before using the service.",
                       "اقرأ هذه السياسة بعناية قبل استخدام الخدمة.",
                       "サービスをご利用になる前に、本ポリシーをよくお読みください。"),
    "scope": ("Scope", "النطاق", "適用範囲"),
    "scope.p": ("This policy applies to all our services. See ",
                "تنطبق هذه السياسة على جميع خدماتنا. راجع ",
                "本ポリシーは当社のすべてのサービスに適用されます。ご質問は"),
    "scope.link": ("Contact us", "اتصل بنا", "お問い合わせ"),
    "scope.after": (" for questions.", " لطرح الأسئلة.", "をご覧ください。"),
    "who": ("Who this covers", "من تشملهم السياسة", "対象者"),
    "who.p": ("It covers customers, visitors and partners.",
              "تشمل السياسة العملاء والزوار والشركاء.",
              "お客様、訪問者、パートナーが対象です。"),
    "edge": ("Special cases", "حالات خاصة", "特別な場合"),
    "edge.p": ("Additional rules may apply in some countries.",
               "قد تنطبق قواعد إضافية في بعض البلدان.",
               "一部の国では追加の規則が適用される場合があります。"),
    "collect": ("Information we collect", "المعلومات التي نجمعها", "収集する情報"),
    "account": ("Account Information", "معلومات الحساب", "アカウント情報"),
    "account.t": ("Name, e-mail address and password.",
                  "الاسم وعنوان البريد الإلكتروني وكلمة المرور.",
                  "氏名、メールアドレス、パスワード。"),
    "usage": ("Usage Data", "بيانات الاستخدام", "利用データ"),
    "usage.t": ("Pages visited and features used.", "الصفحات التي تمت زيارتها والميزات المستخدمة.",
                "閲覧したページと使用した機能。"),
    "device": ("Device type.", "نوع الجهاز.", "端末の種類。"),
    "browser": ("Browser version.", "إصدار المتصفح.", "ブラウザのバージョン。"),
    "signup": ("Sign up for an account.", "أنشئ حسابًا.", "アカウントを作成します。"),
    "confirm": ("Confirm your e-mail address.", "أكّد عنوان بريدك الإلكتروني.",
                "メールアドレスを確認します。"),
    "plan": ("Choose a plan.", "اختر خطة.", "プランを選択します。"),
    "note.info": ("You can change your information at any time.",
                  "يمكنك تعديل معلوماتك في أي وقت.", "情報はいつでも変更できます。"),
    "use": ("How we use information", "كيف نستخدم المعلومات", "情報の利用方法"),
    "provide": ("Provide the service.", "تقديم الخدمة.", "サービスを提供します。"),
    "improve": ("Improve our products.", "تحسين منتجاتنا.", "製品を改善します。"),
    "errors": ("Analyse errors.", "تحليل الأخطاء.", "エラーを分析します。"),
    "features": ("Test new features.", "اختبار الميزات الجديدة.", "新機能をテストします。"),
    "note.warning": ("Deleting your account removes your data permanently.",
                     "يؤدي حذف حسابك إلى إزالة بياناتك نهائيًا.",
                     "アカウントを削除すると、データは完全に消去されます。"),
    "retention": ("Retention periods", "فترات الاحتفاظ", "保存期間"),
    "data": ("Data", "البيانات", "データ"),
    "kept": ("Kept for", "مدة الاحتفاظ", "保存期間の長さ"),
    "account.data": ("Account data", "بيانات الحساب", "アカウントデータ"),
    "account.kept": ("While the account exists", "طوال مدة وجود الحساب", "アカウントの存続期間中"),
    "logs": ("Server logs", "سجلات الخادم", "サーバーログ"),
    "logs.kept": ("90 days", "90 يومًا", "90日間"),
    "contact": ("Contact us", "اتصل بنا", "お問い合わせ"),
    "email": ("E-mail", "البريد الإلكتروني", "メール"),
    "phone": ("Phone", "الهاتف", "電話"),
    "web": ("Website", "الموقع", "ウェブサイト"),
    "cta.title": ("Questions about your data?", "هل لديك أسئلة حول بياناتك؟",
                  "データについてご質問がありますか？"),
    "cta.text": ("Our privacy team answers within two business days.",
                 "يرد فريق الخصوصية خلال يومي عمل.",
                 "プライバシーチームが2営業日以内に回答します。"),
    "cta.action": ("Contact the privacy team", "تواصل مع فريق الخصوصية",
                   "プライバシーチームに連絡する"),
    "description": ("How Acme Cloud collects, uses and protects personal data.",
                    "كيف تجمع أكمي كلاود البيانات الشخصية وتستخدمها وتحميها.",
                    "Acme Cloud による個人データの収集、利用、保護について。"),
}

LABELS = {
    "en": Labels(
        contents="Contents", version="Version", last_updated="Last Updated",
        effective="Effective", page_of="Page {page} of {pages}", important="Important",
        warning="Warning", info="Note", languages="Languages", downloads="Download",
        permalink="Link to this section", signed_by="Digitally signed by {signer} on {date}",
        history="Version History", history_date="Date", history_summary="Summary",
        material="Material Change", yes="Yes", no="No",
        updated_on="Updated on {date}: see what changed",
        redline="Changes from Version {old} to Version {new}", inserted="Inserted",
        deleted="Deleted", moved="Moved", changed="Changed", change_end="End of change"),
    "ar": Labels(
        contents="المحتويات", version="الإصدار", last_updated="آخر تحديث",
        effective="تاريخ السريان", page_of="الصفحة {page} من {pages}", important="هام",
        warning="تحذير", info="ملاحظة", languages="اللغات", downloads="تنزيل",
        permalink="رابط إلى هذا القسم", signed_by="وقّعه رقميًا {signer} في {date}",
        history="سجل الإصدارات", history_date="التاريخ", history_summary="الملخص",
        material="تغيير جوهري", yes="نعم", no="لا",
        updated_on="حُدّث في {date}: اطّلع على التغييرات",
        redline="التغييرات من الإصدار {old} إلى الإصدار {new}", inserted="مُدرج",
        deleted="محذوف", moved="منقول", changed="معدّل", change_end="نهاية التغيير"),
    "ja": Labels(
        contents="目次", version="バージョン", last_updated="最終更新日", effective="発効日",
        page_of="{pages} ページ中 {page} ページ", important="重要", warning="警告", info="注記",
        languages="言語", downloads="ダウンロード", permalink="このセクションへのリンク",
        signed_by="{signer} により {date} に電子署名済み",
        history="改訂履歴", history_date="日付", history_summary="概要", material="重要な変更",
        yes="はい", no="いいえ", updated_on="{date}に更新：変更点を見る",
        redline="バージョン {old} からバージョン {new} への変更", inserted="挿入",
        deleted="削除", moved="移動", changed="変更", change_end="変更の終わり"),
}
DATES = {  # (updated, effective) as Babel's long format writes them
    "en": ("March 15, 2024", "April 1, 2024"),
    "ar": ("15 مارس 2024", "1 أبريل 2024"),
    "ja": ("2024年3月15日", "2024年4月1日"),
}
NAMES = {"en": "English", "ar": "العربية", "ja": "日本語"}
INDEX = {"en": 0, "ar": 1, "ja": 2}

_lines = itertools.count(1)


def _loc() -> Loc:
    return Loc("source/fixture.yaml", next(_lines), 1)


class _Texts:
    """Rich strings of one language, each with its own location."""

    def __init__(self, code: str) -> None:
        self.i = INDEX[code]

    def s(self, key: str) -> str:
        return T[key][self.i]

    def r(self, *parts: str | Inline) -> Rich:
        inlines = tuple(Text(self.s(p)) if isinstance(p, str) else p for p in parts)
        return Rich("|".join(p if isinstance(p, str) else "*" for p in parts), inlines,
                    _loc(), "fixture")


def _items(t: _Texts, keys: list[str], sublist: ItemList | None = None) -> tuple[ListItem, ...]:
    items = [ListItem(None, t.r(k), None, _loc()) for k in keys]
    if sublist is not None:
        items[-1] = ListItem(None, items[-1].text, sublist, _loc())
    return tuple(items)


def _sections(t: _Texts) -> tuple[Section, ...]:
    intro_p = t.r("intro.p1")
    rich_p = t.r(Strong((Text(t.s("intro.strong")),)), "intro.p2",
                 Emphasis((Text(t.s("intro.em")),)))
    scope_p = t.r("scope.p", Link("#contact-us", (Text(t.s("scope.link")),)), "scope.after")
    edge = Section("special-cases", t.r("edge"), 4,
                   (Paragraph(t.r("edge.p"), _loc()),), (), _loc())
    who = Section("who-this-covers", t.r("who"), 3,
                  (Paragraph(t.r("who.p"), _loc()),), (edge,), _loc())
    scope = Section("scope", t.r("scope"), 2, (Paragraph(scope_p, _loc()),), (who,), _loc())
    intro = Section("introduction", t.r("intro"), 1, (
        Paragraph(intro_p, _loc()), Paragraph(rich_p, _loc()),
        Note(NoteKind.IMPORTANT, t.r("note.important"), _loc()),
    ), (scope,), _loc())

    nested = ItemList(False, _items(t, ["device", "browser"]), _loc())
    terms = ItemList(False, (
        ListItem(t.r("account"), t.r("account.t"), None, _loc()),
        ListItem(t.r("usage"), t.r("usage.t"), nested, _loc()),
    ), _loc())
    steps = ItemList(True, _items(t, ["signup", "confirm", "plan"]), _loc())
    collect = Section("information-we-collect", t.r("collect"), 1, (
        terms, steps, Note(NoteKind.INFO, t.r("note.info"), _loc()),
    ), (), _loc())

    sub_steps = ItemList(True, _items(t, ["errors", "features"]), _loc())
    purposes = ItemList(True, _items(t, ["provide", "improve"], sub_steps), _loc())
    table = Table(t.r("retention"), (t.r("data"), t.r("kept")), (
        (t.r("account.data"), t.r("account.kept")),
        (t.r("logs"), t.r("logs.kept")),
    ), _loc())
    use = Section("how-we-use-information", t.r("use"), 1, (
        purposes, Note(NoteKind.WARNING, t.r("note.warning"), _loc()), table,
    ), (), _loc())

    blocks: tuple[Block, ...] = (
        Contact((
            ContactEntry(t.r("email"), t.r(Link(f"mailto:{EMAIL}", (Text(EMAIL),))), _loc()),
            ContactEntry(t.r("phone"), t.r(Link(PHONE, (Text("+1 555 0100"),))), _loc()),
            ContactEntry(t.r("web"), t.r(Link(WEB, (Text("acme.example/privacy"),))), _loc()),
        ), _loc()),
        CallToAction(t.r("cta.title"), t.r("cta.text"), t.r("cta.action"),
                     f"mailto:{EMAIL}", _loc()),
    )
    contact = Section("contact-us", t.r("contact"), 1, blocks, (), _loc())
    return intro, collect, use, contact


def localized(code: str = "en") -> LocalizedDocument:
    """The fixture in one of en, ar (right-to-left) and ja."""
    t = _Texts(code)
    meta = Meta(
        id="privacy-policy", title=t.r("title"), version="2.1.0",
        updated=dt.date(2024, 3, 15), effective=dt.date(2024, 4, 1), source_locale="en",
        locales=("en", "ar", "ja"), organization="Acme Cloud Ltd.",
        description=t.r("description"),
        keywords=tuple(Rich(k, (Text(k),), _loc(), "keyword") for k in ("privacy", "GDPR")),
    )
    document = Document(meta, (), _sections(t), "source/fixture.yaml")
    language = Language(code, code, NAMES[code])
    updated, effective = DATES[code]
    return LocalizedDocument(
        document=document, language=language, direction="rtl" if code == "ar" else "ltr",
        labels=LABELS[code], updated_text=updated, effective_text=effective,
        languages=tuple(Language(c, c, n) for c, n in NAMES.items()),
        completeness=Completeness(10, 10, 0, 0),
        term_separator="：" if code == "ja" else ": ",
    )


def sentences(code: str = "en") -> list[str]:
    """Every text of the fixture as a reader should find it in the rendered document."""
    doc = localized(code)
    out = [doc.title, doc.labels.contents]
    for section in doc.document.walk_sections():
        out.append(section.title.plain())
        out.extend(_block_texts(section.blocks, doc.term_separator))
    return out


def _block_texts(blocks: tuple[Block, ...], sep: str) -> list[str]:
    out: list[str] = []
    for block in blocks:
        match block:
            case Paragraph(text=text) | Note(text=text):
                out.append(text.plain())
            case ItemList(items=items):
                for item in items:
                    out.extend(r.plain() for r in (item.term, item.text) if r)
                    if item.sublist:
                        out.extend(_block_texts((item.sublist,), sep))
            case Contact(entries=entries):
                out.extend(f"{e.label.plain()}{sep}{e.value.plain()}" for e in entries)
            case CallToAction():
                out.extend(r.plain() for r in (block.title, block.text, block.action))
            case Table():
                for row in ((block.caption,) if block.caption else (), block.header,
                            *block.rows):
                    out.extend(c.plain() for c in row)
    return out
