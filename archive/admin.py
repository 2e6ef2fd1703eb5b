"""Django admin: where staff correct what extraction got wrong.

Every change a person saves is recorded as a human correction (see corrections.py), so a
re-ingest of the page never undoes it; figures deleted here are kept as tombstones so they
stay deleted. Forms read values back as stored (admin_fields.ExactModelForm), so only what
an editor really changed is recorded. The review queue lists what extraction was unsure of.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timezone import localtime

from archive.admin_fields import (
    ExactModelForm,
    LinesField,
    NamesField,
    StoredTextField,
    same_meaning,
)
from archive.corrections import (
    ADDED,
    DELETED,
    MergeRefused,
    RevertError,
    field_label,
    mark_reviewed,
    merge_park,
    place_new_figure,
    reanchor_figures,
    record_changes,
    record_deletion,
    revert,
    undo_merge,
    value_label,
)
from archive.ingest.figures import normalise_unit
from archive.models import (
    Article,
    Correction,
    Figure,
    Newspaper,
    Page,
    Park,
    ParkMerge,
    ReviewState,
)
from archive.templatetags.archive_format import (
    issue_date_text,
    plain_number,
    printed_value,
    qualified,
    readable_value,
)


def yes_no(value: bool | None) -> str:
    """Django's yes/no icon, with Chinese alt text (Django's own says True/False)."""
    name = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: "是", False: "否", None: "未知"}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


class HiddenThroughRows:
    """Delete confirmations list what goes with a row; an article's links to the zones it
    mentions are rows of an unnamed table, shown as one Chinese count instead."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        through = Article.parks.through._meta
        prefix = f"{capfirst(through.verbose_name)}: "

        def keep(items: list) -> list:
            kept = []
            for item in items:
                if isinstance(item, list):
                    kept.append(keep(item))
                elif not str(item).startswith(prefix):
                    kept.append(item)
            return kept

        links = model_count.pop(through.verbose_name_plural, 0)
        if links:
            model_count["提及园区的链接"] = links
        return keep(to_delete), model_count, perms_needed, protected


admin.site.site_header = "高新区新闻档案 · 管理"
admin.site.site_title = "高新区新闻档案管理"
admin.site.index_title = "档案管理"


def reindex(article_ids: list[int]) -> None:
    """Bring the search index up to date with these articles once the save commits."""
    from archive.indexing import sync_articles

    ids = list(article_ids)
    transaction.on_commit(lambda: sync_articles(ids))


# --- articles ---------------------------------------------------------------------------

# Why extraction was unsure of an article: the review queue's reasons, in its filter and
# in the article list's 复核原因 column.
REVIEW_REASONS = {
    "no_park": "未识别园区",
    "unknown_park": "园区不在名录中",
    "mid_sentence": "首尾不完整",
    "fragment": "栏目碎片",
    "unlabeled_figure": "数据缺指标名",
}


def review_reasons(article: Article, has_unlabeled_figure: bool | None = None) -> list[str]:
    """The review queue's reasons that apply to this article."""
    if has_unlabeled_figure is None:
        has_unlabeled_figure = article.figures.filter(label="", deleted=False).exists()
    found = {
        "no_park": article.park_id is None,
        "unknown_park": article.park is not None and not article.park.in_registry,
        "mid_sentence": article.starts_mid_sentence or article.ends_mid_sentence,
        "fragment": article.has_fragment,
        "unlabeled_figure": has_unlabeled_figure,
    }
    return [label for key, label in REVIEW_REASONS.items() if found[key]]


class ArticleForm(ExactModelForm):
    authors = NamesField(
        label="作者", required=False, help_text="姓名之间用空格分隔，例如 洪恒飞 秦羽。"
    )

    class Meta:
        model = Article
        fields = [
            "page", "ordinal", "review_state", "section", "kicker", "title", "subtitle",
            "authors", "park", "parks", "body", "credits", "captions", "starts_mid_sentence",
            "ends_mid_sentence", "has_fragment",
        ]
        field_classes = {"body": StoredTextField, "credits": LinesField, "captions": LinesField}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"}),
            "captions": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "credits": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }



def follow_printed(form: ExactModelForm, data: dict) -> None:
    """A figure added by hand without a printed form reads as its value and unit; one
    without a status is a reported figure. (A corrected value of an extracted figure keeps
    the page's printed form stored as the original: pages show the corrected value, see
    `archive_format.printed_value`.)"""
    data["status"] = data.get("status") or Figure.Status.REPORTED
    value, unit = data.get("value"), data.get("unit")
    if value is not None and unit and not data.get("printed"):
        data["printed"] = qualified(plain_number(value), unit, data.get("qualifier") or "")


class FigureInlineForm(ExactModelForm):
    """A figure row of the article form; its value in the base unit follows value and unit."""

    class Meta:
        model = Figure
        fields = [
            "label", "printed", "qualifier", "value", "unit", "status", "year", "park", "quote",
        ]
        field_classes = {"quote": StoredTextField}
        widgets = {
            "label": forms.TextInput(attrs={"size": 12}),
            "printed": forms.TextInput(attrs={"size": 8}),
            "qualifier": forms.TextInput(attrs={"size": 4}),
            "value": forms.NumberInput(attrs={"step": "any", "class": "vNarrowField"}),
            "unit": forms.TextInput(attrs={"size": 5}),
            "year": forms.NumberInput(attrs={"class": "vNarrowField"}),
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False

    def clean(self) -> dict:
        data = super().clean()
        value, unit = data.get("value"), data.get("unit")
        moved = not self.instance.pk or not (
            same_meaning(self.stored.get("value"), value)
            and same_meaning(self.stored.get("unit"), unit)
        )
        if value is not None and unit and moved:
            self.instance.normalized_value, self.instance.base_unit = normalise_unit(value, unit)
        follow_printed(self, data)
        return data


class FigureInline(admin.TabularInline):
    model = Figure
    form = FigureInlineForm
    extra = 0
    autocomplete_fields = ["park"]
    show_change_link = True
    readonly_fields = ["normalized"]
    # 换算 (normalized) is shown on the figure's own page: the row must fit 1,280 px.
    fields = ["label", "printed", "qualifier", "value", "unit", "status", "year", "park", "quote"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Figure]:
        return super().get_queryset(request).filter(deleted=False).select_related("park")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "park" and field is not None:
            # Add/edit/delete-a-park links on every row would not fit a 1,280 px window;
            # parks are edited on their own page.
            for name in ("can_add_related", "can_change_related", "can_delete_related",
                         "can_view_related"):
                setattr(field.widget, name, False)
        return field

    @admin.display(description="折算")
    def normalized(self, obj: Figure) -> str:
        return readable_value(obj) if obj.pk else "-"


class CorrectionInline(admin.TabularInline):
    model = Correction
    fk_name = "article"
    extra = 0
    can_delete = False
    fields = ["created_at", "user", "target", "changed_field", "old_short", "new_short", "undo"]
    readonly_fields = fields
    verbose_name = verbose_name_plural = "修改记录"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correction]:
        done = Correction.objects.filter(reverts=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .select_related("user", "figure", "reverts")
            .annotate(is_reverted=Exists(done))
        )

    target = admin.display(description="对象")(lambda self, row: correction_target(row))
    changed_field = admin.display(description="字段")(lambda self, row: field_label(row))
    old_short = admin.display(description="原值")(
        lambda self, row: short(value_label(row, row.old_value))
    )
    new_short = admin.display(description="新值")(
        lambda self, row: short(value_label(row, row.new_value))
    )
    undo = admin.display(description="撤销")(lambda self, row: revert_link(row))


class ReviewQueueFilter(admin.SimpleListFilter):
    """What extraction was unsure of, by reason."""

    title = "复核队列"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("needs_review", "全部待复核"), *REVIEW_REASONS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        unlabeled = Figure.objects.filter(article=OuterRef("pk"), label="", deleted=False)
        filters = {
            "needs_review": Q(review_state=ReviewState.NEEDS_REVIEW),
            "no_park": Q(park__isnull=True),
            "unknown_park": Q(park__in_registry=False),
            "mid_sentence": Q(starts_mid_sentence=True) | Q(ends_mid_sentence=True),
            "fragment": Q(has_fragment=True),
            "unlabeled_figure": Q(Exists(unlabeled)),
        }
        chosen = filters.get(self.value() or "")
        return queryset.filter(chosen) if chosen is not None else queryset


class HasFiguresFilter(admin.SimpleListFilter):
    title = "有数据"
    parameter_name = "has_figures"

    def lookups(self, request, model_admin):
        return [("yes", "有"), ("no", "无")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        live = Figure.objects.filter(article=OuterRef("pk"), deleted=False)
        if self.value() == "yes":
            return queryset.filter(Exists(live))
        if self.value() == "no":
            return queryset.exclude(Exists(live))
        return queryset


class TruncatedFilter(admin.SimpleListFilter):
    title = "被版面截断"
    parameter_name = "truncated"

    def lookups(self, request, model_admin):
        return [("start", "开头不完整"), ("end", "结尾不完整")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        if self.value() == "start":
            return queryset.filter(starts_mid_sentence=True)
        if self.value() == "end":
            return queryset.filter(ends_mid_sentence=True)
        return queryset


class ProvinceFilter(admin.SimpleListFilter):
    """The main zone's province (a related field's filter would be titled in English)."""

    title = "省份"
    parameter_name = "province"
    field = "park__province"

    def lookups(self, request, model_admin):
        provinces = Park.objects.exclude(province="").values_list("province", flat=True)
        return [(p, p) for p in sorted(set(provinces))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


@admin.register(Article)
class ArticleAdmin(HiddenThroughRows, admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "display_title", "park", "page_source", "issue_date", "review_state", "reasons",
        "n_figures",
    ]
    list_filter = [
        ReviewQueueFilter,
        "review_state",
        ("park", admin.RelatedOnlyFieldListFilter),
        ProvinceFilter,
        HasFiguresFilter,
        TruncatedFilter,
    ]
    search_fields = ["title", "kicker", "subtitle", "body"]
    autocomplete_fields = ["page", "park", "parks"]
    list_select_related = ["park", "page"]
    inlines = [FigureInline, CorrectionInline]
    actions = ["mark_as_reviewed"]

    class Media:
        css = {"all": ["parknews-admin.css"]}
    readonly_fields = [
        "page_link", "public_link", "issue_date", "ordinal", "reasons", "spans_text",
        "corrected_text",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> list:
        where = ["page", "ordinal"] if obj is None else [
            "page_link", "public_link", "issue_date", "ordinal",
        ]
        return [
            (None, {"fields": [*where, "review_state", "reasons"]}),
            ("标题", {"fields": ["section", "kicker", "title", "subtitle", "authors"]}),
            ("园区", {"fields": ["park", "parks"]}),
            ("正文", {"fields": ["body", "captions", "credits"]}),
            (
                "版面",
                {
                    "classes": ["collapse"],
                    "fields": [
                        "starts_mid_sentence", "ends_mid_sentence", "has_fragment",
                        "spans_text", "corrected_text",
                    ],
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list:
        if obj is None:
            return [f for f in self.readonly_fields if f != "ordinal"]
        return self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Article | None) -> list:
        return self.inlines if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        live = Count("figures", filter=Q(figures__deleted=False))
        unlabeled = Figure.objects.filter(article=OuterRef("pk"), label="", deleted=False)
        # The page is joined for its source only: its text (up to the page size limit, the
        # same for every article on it) would be read once per row.
        return (
            super()
            .get_queryset(request)
            .annotate(n_live_figures=live, has_unlabeled=Exists(unlabeled))
            .defer("page__raw_text")
        )

    @admin.display(description="标题", ordering="title")
    def display_title(self, obj: Article) -> str:
        return obj.title or f"(无标题) {obj.page.source} #{obj.ordinal}"

    @admin.display(description="版面", ordering="page__source")
    def page_source(self, obj: Article) -> str:
        return obj.page.source

    @admin.display(description="日期", ordering="page__issue_date")
    def issue_date(self, obj: Article) -> str:
        return issue_date_text(obj.page.issue_date, obj.page.issue_date_estimated)

    @admin.display(description="复核原因")
    def reasons(self, obj: Article) -> str:
        if not obj.pk:
            return "-"
        found = review_reasons(obj, getattr(obj, "has_unlabeled", None))
        return "、".join(found) or "-"

    @admin.display(description="数据", ordering="n_live_figures")
    def n_figures(self, obj: Article) -> int:
        return obj.n_live_figures

    @admin.display(description="版面原文")
    def page_link(self, obj: Article) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:archive_page_change", args=[obj.page_id])
        return format_html('<a href="{}">{}</a>', url, obj.page.source)

    @admin.display(description="公开页面")
    def public_link(self, obj: Article) -> str:
        if not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    @admin.display(description="版面位置")
    def spans_text(self, obj: Article) -> str:
        return "；".join(f"第{a}–{b}字" for a, b in obj.spans) or "-"

    @admin.display(description="已更正字段")
    def corrected_text(self, obj: Article) -> str:
        names = [str(Article._meta.get_field(f).verbose_name) for f in obj.corrected_fields]
        return "、".join(names) or "-"

    @admin.action(description="标记为已复核", permissions=["change"])
    def mark_as_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = mark_reviewed(queryset, request.user)
        self.message_user(request, f"{count} 篇文章已标记为已复核。", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        if not change:
            # Written by a person: a re-ingest of its page must neither overwrite nor drop it.
            obj.corrected_fields = sorted(ARTICLE_FIELDS_EDITED)
        super().save_model(request, obj, form, change)
        if change:
            record_changes(obj, form.stored_changes(), request.user)
        else:
            record_changes(obj, [(ADDED, "", str(obj))], request.user)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        old_parks = list(form.instance.parks.all()) if change else []
        super().save_related(request, form, formsets, change)
        article = form.instance
        if change and "parks" in form.changed_data:
            record_changes(article, [("parks", old_parks, article.parks.all())], request.user)
        old_body = form.stored.get("body")
        if change and old_body is not None and old_body != article.body:
            # After the figure rows are saved: their save would write the old positions.
            reanchor_figures(article, old_body)
        reindex([article.pk])

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Figure:
            super().save_formset(request, form, formset, change)
            return
        article = form.instance
        formset.save(commit=False)
        for figure in formset.deleted_objects:
            Figure.objects.filter(pk=figure.pk).update(deleted=True)
            record_changes(article, [(DELETED, False, True)], request.user, figure)
        for figure in formset.new_objects:
            figure.article = article
            figure.origin = Figure.Origin.HUMAN
            place_new_figure(figure)
            figure.save()
            record_changes(article, [(ADDED, "", str(figure))], request.user, figure)
        edited = {id(f.instance): f for f in formset.forms}
        for figure, _fields in formset.changed_objects:
            changes = edited[id(figure)].stored_changes()
            if changes:
                figure.save()
                record_changes(article, changes, request.user, figure)

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        record_deletion(obj, request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            self.delete_model(request, article)


# What a person writes when adding an article by hand (all of it theirs to keep).
ARTICLE_FIELDS_EDITED = frozenset(
    {"kicker", "title", "subtitle", "section", "authors", "body", "credits", "captions",
     "park", "parks", "starts_mid_sentence", "ends_mid_sentence", "has_fragment", "spans"}
)


def short(text: str, limit: int = 80) -> str:
    """A long old or new value (a whole body) cut for a table cell."""
    return text if len(text) <= limit else text[:limit] + "……"


def correction_target(row: Correction) -> str:
    if row.figure_id:
        return f"数据：{row.figure}"
    if row.article_id:
        return "文章"
    return row.subject or "-"


def revert_link(row: Correction) -> str:
    if row.reverts_id:
        return "撤销操作"
    reverted = getattr(row, "is_reverted", None)
    if reverted if reverted is not None else row.reverted_by.exists():
        return "已撤销"
    url = reverse("admin:archive_correction_revert", args=[row.pk])
    return format_html('<a class="button" href="{}">撤销</a>', url)


# --- parks ------------------------------------------------------------------------------


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Park.objects.all(), label="合并到")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "province", "city", "approved_year", "registered",
                    "to_review", "n_articles"]
    list_filter = ["in_registry", "needs_review", "province"]
    search_fields = ["name", "full_name", "aliases", "city"]
    readonly_fields = ["created_at"]
    actions = ["merge_into"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Park]:
        return super().get_queryset(request).annotate(n=Count("articles"))

    @admin.display(description="在名录中", ordering="in_registry")
    def registered(self, obj: Park) -> str:
        return yes_no(obj.in_registry)

    @admin.display(description="待复核", ordering="needs_review")
    def to_review(self, obj: Park) -> str:
        return yes_no(obj.needs_review)

    @admin.display(description="文章", ordering="n")
    def n_articles(self, obj: Park) -> int:
        return obj.n

    def has_delete_permission(self, request: HttpRequest, obj: Park | None = None) -> bool:
        # A registry zone is a real zone: its page and its articles' links must not vanish.
        if obj is not None and obj.in_registry:
            return False
        return super().has_delete_permission(request, obj)

    def has_merge_permission(self, request: HttpRequest) -> bool:
        """Merging deletes a zone: a permission of its own, not change_park."""
        return request.user.has_perm("archive.merge_park")

    @admin.action(description="合并到…(保留其名称为别名)", permissions=["merge"])
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Park]) -> HttpResponse | None:
        registry = [p.name for p in queryset if p.in_registry]
        if registry:
            self.message_user(
                request,
                f"登记在册的园区不能被合并掉:{'、'.join(registry)}。请把重复的园区合并到它们。",
                messages.ERROR,
            )
            return None
        form = MergeForm(request.POST if "into" in request.POST else None)
        form.fields["into"].queryset = Park.objects.exclude(pk__in=queryset.values("pk"))
        if form.is_valid():
            target = form.cleaned_data["into"]
            touched: list[int] = []
            with transaction.atomic():
                for duplicate in list(queryset):
                    # The admin log of a deletion must be written while the row exists.
                    self.log_deletions(request, Park.objects.filter(pk=duplicate.pk))
                    merge, moved = merge_park(duplicate, target, request.user)
                    touched += moved
                    self.log_change(
                        request, target,
                        f"合并了 {duplicate.name}(合并记录 {merge.pk},{len(moved)} 篇文章)",
                    )
                reindex(touched)
            self.message_user(
                request, f"已合并到 {target.name}:{len(touched)} 篇文章已更新。", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "合并园区",
            "parks": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/park/merge.html", context)


@admin.register(ParkMerge)
class ParkMergeAdmin(admin.ModelAdmin):
    """Every park merge, with what it moved; the 撤销合并 action undoes one."""

    list_display = ["duplicate_name", "into_name", "user", "created_at", "undone_at"]
    readonly_fields = ["into", "into_name", "duplicate_name", "duplicate", "moved", "user",
                       "created_at", "undone_at"]
    actions = ["undo"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ParkMerge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ParkMerge | None = None) -> bool:
        return False  # the audit trail stays

    def has_view_permission(self, request: HttpRequest, obj: ParkMerge | None = None) -> bool:
        return request.user.has_perm("archive.merge_park")

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("archive.merge_park")

    @admin.action(description="撤销合并(恢复被合并的园区)", permissions=["merge"])
    def undo(self, request: HttpRequest, queryset: QuerySet[ParkMerge]) -> None:
        for merge in queryset.order_by("-created_at", "-pk"):
            try:
                with transaction.atomic():
                    touched = undo_merge(merge, request.user)
                    restored = Park.objects.get(name=merge.duplicate_name)
                    self.log_addition(request, restored, f"撤销合并记录 {merge.pk}")
                    if merge.into is not None:
                        self.log_change(
                            request, merge.into, f"撤销了 {merge.duplicate_name} 的合并"
                        )
                    reindex(touched)
            except MergeRefused as error:
                self.message_user(request, f"未能撤销:{error}", messages.ERROR)
                continue
            self.message_user(
                request, f"已恢复 {merge.duplicate_name}:{len(touched)} 篇文章已移回。",
                messages.SUCCESS,
            )


# --- figures, pages, corrections ---------------------------------------------------------


class FigureForm(ExactModelForm):
    class Meta:
        model = Figure
        fields = [
            "article", "label", "printed", "status", "qualifier", "value", "value_max",
            "value_text", "unit", "normalized_value", "base_unit", "year", "park", "quote",
        ]
        field_classes = {"quote": StoredTextField}
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False
        for name in ("normalized_value", "base_unit"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text += "留空则按数值和单位计算。"

    def clean(self) -> dict:
        data = super().clean()
        value, unit = data.get("value"), data.get("unit")
        moved = not self.instance.pk or not (
            same_meaning(self.stored.get("value"), value)
            and same_meaning(self.stored.get("unit"), unit)
        )
        if value is not None and unit and (moved or data.get("normalized_value") is None):
            edited_base = not same_meaning(
                self.stored.get("normalized_value"), data.get("normalized_value")
            )
            if not (self.instance.pk and edited_base and data.get("normalized_value") is not None):
                data["normalized_value"], data["base_unit"] = normalise_unit(value, unit)
        follow_printed(self, data)
        return data


class FigureCorrectedFilter(admin.SimpleListFilter):
    title = "人工更正"
    parameter_name = "corrected"

    def lookups(self, request, model_admin):
        return [("yes", "已更正"), ("no", "未更正")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Figure]) -> QuerySet[Figure]:
        if self.value() == "yes":
            return queryset.exclude(corrected_fields=[])
        if self.value() == "no":
            return queryset.filter(corrected_fields=[])
        return queryset


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    form = FigureForm
    list_display = ["label", "printed", "status", "readable", "park", "year", "article_title",
                    "origin", "is_deleted", "corrected"]
    list_filter = ["status", "base_unit", "origin", "deleted", FigureCorrectedFilter,
                   ("park", admin.RelatedOnlyFieldListFilter), ProvinceFilter, "year"]
    search_fields = ["label", "quote"]
    autocomplete_fields = ["park", "article"]
    list_select_related = ["park", "article"]
    readonly_fields = ["extraction_key", "corrected_text", "position"]

    class Media:
        css = {"all": ["parknews-admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Figure]:
        # A row shows its article's title, never the body joined in for it.
        return super().get_queryset(request).defer("article__body")

    @admin.display(description="文章", ordering="article__title")
    def article_title(self, obj: Figure) -> str:
        return short(str(obj.article), 14)

    @admin.display(description="原印")
    def printed(self, obj: Figure) -> str:
        return printed_value(obj)

    @admin.display(description="折算", ordering="normalized_value")
    def readable(self, obj: Figure) -> str:
        return readable_value(obj)

    @admin.display(description="已更正")
    def corrected(self, obj: Figure) -> str:
        return yes_no(bool(obj.corrected_fields))

    @admin.display(description="已删除", ordering="deleted")
    def is_deleted(self, obj: Figure) -> str:
        return yes_no(obj.deleted)

    @admin.display(description="已更正字段")
    def corrected_text(self, obj: Figure) -> str:
        names = [str(Figure._meta.get_field(f).verbose_name) for f in obj.corrected_fields]
        return "、".join(names) or "-"

    def save_model(self, request: HttpRequest, obj: Figure, form, change: bool) -> None:
        if not change:
            obj.origin = Figure.Origin.HUMAN
            place_new_figure(obj)
        super().save_model(request, obj, form, change)
        changes = form.stored_changes() if change else [(ADDED, "", str(obj))]
        record_changes(obj.article, changes, request.user, obj)
        reindex([obj.article_id])

    def delete_model(self, request: HttpRequest, obj: Figure) -> None:
        """Deleting keeps a tombstone, so a re-ingest does not bring the figure back."""
        Figure.objects.filter(pk=obj.pk).update(deleted=True)
        record_changes(obj.article, [(DELETED, False, True)], request.user, obj)
        reindex([obj.article_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Figure]) -> None:
        for figure in queryset:
            self.delete_model(request, figure)


class PageForm(ExactModelForm):
    class Meta:
        model = Page
        fields = ["issue_date", "issue_date_estimated"]


class PageCorrectionInline(CorrectionInline):
    fk_name = "page"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correction]:
        return super().get_queryset(request).filter(article__isnull=True)


@admin.register(Page)
class PageAdmin(HiddenThroughRows, admin.ModelAdmin):
    form = PageForm
    list_display = ["source", "issue_date_text", "estimated", "n_articles", "updated_at"]
    list_filter = ["issue_date_estimated", "encoding"]
    search_fields = ["source", "raw_text"]
    readonly_fields = ["source", "content_hash", "pipeline_version", "encoding", "raw_text",
                       "ingested_at", "updated_at"]
    fields = ["source", "issue_date", "issue_date_estimated", "encoding", "content_hash",
              "pipeline_version", "ingested_at", "updated_at", "raw_text"]
    inlines = [PageCorrectionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        return super().get_queryset(request).annotate(n=Count("articles"))

    @admin.display(description="文章", ordering="n")
    def n_articles(self, obj: Page) -> int:
        return obj.n

    @admin.display(description="日期为推断", ordering="issue_date_estimated")
    def estimated(self, obj: Page) -> str:
        return yes_no(obj.issue_date_estimated)

    @admin.display(description="出版日期", ordering="issue_date")
    def issue_date_text(self, obj: Page) -> str:
        return issue_date_text(obj.issue_date, obj.issue_date_estimated)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pages come from `manage.py ingest`

    def save_model(self, request: HttpRequest, obj: Page, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_changes(None, form.stored_changes(), request.user, page=obj)
        # The issue date is part of every article's search document.
        reindex(list(obj.articles.values_list("pk", flat=True)))

    def delete_model(self, request: HttpRequest, obj: Page) -> None:
        record_deletion(obj, request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Page]) -> None:
        for page in queryset:
            self.delete_model(request, page)


class RevertedFilter(admin.SimpleListFilter):
    title = "撤销"
    parameter_name = "reverted"

    def lookups(self, request, model_admin):
        return [("no", "未撤销"), ("yes", "已撤销"), ("undo", "撤销操作")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        done = Correction.objects.filter(reverts=OuterRef("pk"))
        if self.value() == "no":
            return queryset.exclude(Exists(done)).filter(reverts__isnull=True)
        if self.value() == "yes":
            return queryset.filter(Exists(done))
        if self.value() == "undo":
            return queryset.filter(reverts__isnull=False)
        return queryset


class FieldFilter(admin.SimpleListFilter):
    """The changed field by its Chinese name (the stored name is the model's)."""

    title = "字段"
    parameter_name = "field"

    def lookups(self, request, model_admin):
        rows = Correction.objects.order_by().values_list("field", "figure_id", "article_id")
        labels: dict[str, str] = {}
        for name, figure_id, article_id in rows.distinct():
            # The same name on a figure and an article (none today) shows the first's.
            row = Correction(field=name, figure_id=figure_id, article_id=article_id)
            labels.setdefault(name, field_label(row))
        return sorted(labels.items(), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(field=self.value()) if self.value() else queryset


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["when", "user", "target_link", "changed_field", "old_short", "new_short",
                    "undo"]
    list_filter = [FieldFilter, RevertedFilter, ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["article__title", "subject", "old_value", "new_value"]
    list_select_related = ["user", "article", "figure", "page", "reverts"]
    fields = ["created_at", "user", "target_link", "changed_field", "old_value", "new_value",
              "reverts", "undo"]
    readonly_fields = fields
    actions = ["revert_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correction]:
        done = Correction.objects.filter(reverts=OuterRef("pk"))
        # Rows name their article, figure or page: the texts themselves are not shown.
        return (
            super()
            .get_queryset(request)
            .annotate(is_reverted=Exists(done))
            .defer("page__raw_text", "article__body", "figure__quote")
        )

    @admin.display(description="时间", ordering="created_at")
    def when(self, row: Correction) -> str:
        return localtime(row.created_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="对象")
    def target_link(self, row: Correction) -> str:
        if row.figure_id:
            url = reverse("admin:archive_figure_change", args=[row.figure_id])
            return format_html('<a href="{}">数据：{}</a>', url, short(str(row.figure), 16))
        if row.article_id:
            url = reverse("admin:archive_article_change", args=[row.article_id])
            return format_html('<a href="{}">文章：{}</a>', url, short(str(row.article), 16))
        if row.page_id:
            url = reverse("admin:archive_page_change", args=[row.page_id])
            return format_html('<a href="{}">版面：{}</a>', url, row.page)
        return short(row.subject, 30) or "-"

    changed_field = admin.display(description="字段", ordering="field")(
        lambda self, row: field_label(row)
    )
    old_short = admin.display(description="原值")(
        lambda self, row: short(value_label(row, row.old_value), 24)
    )
    new_short = admin.display(description="新值")(
        lambda self, row: short(value_label(row, row.new_value), 24)
    )
    undo = admin.display(description="撤销")(lambda self, row: revert_link(row))

    class Media:
        css = {"all": ["parknews-admin.css"]}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_revert_permission(self, request: HttpRequest) -> bool:
        """Whoever may correct articles may undo a correction."""
        return request.user.has_perm("archive.change_article")

    @admin.action(description="撤销所选修改", permissions=["revert"])
    def revert_selected(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        done, refused = 0, []
        for row in queryset.order_by("-created_at", "-pk"):
            try:
                self._revert(request, row)
                done += 1
            except RevertError as error:
                refused.append(f"#{row.pk}：{error}")
        if done:
            self.message_user(request, f"已撤销 {done} 条修改。", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def _revert(self, request: HttpRequest, row: Correction) -> Correction:
        new_row, ids = revert(row, request.user)
        reindex(ids)
        return new_row

    def get_urls(self) -> list:
        own = [
            path(
                "<int:pk>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="archive_correction_revert",
            )
        ]
        return own + super().get_urls()

    def revert_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The 撤销 button of an audit row: a confirmation, then the revert."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        row = get_object_or_404(Correction.objects.select_related("article", "figure"), pk=pk)
        back = (
            reverse("admin:archive_article_change", args=[row.article_id])
            if row.article_id
            else reverse("admin:archive_correction_changelist")
        )
        if request.method == "POST":
            try:
                self._revert(request, row)
                self.message_user(request, "已撤销这条修改。", messages.SUCCESS)
            except RevertError as error:
                self.message_user(request, str(error), messages.WARNING)
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "撤销修改",
            "row": row,
            "label": field_label(row),
            "target": correction_target(row),
            "back": back,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/archive/correction/revert.html", context)

@admin.register(Newspaper)
class NewspaperAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "n_pages"]
    search_fields = ["title"]
    fields = ["title", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Newspaper]:
        return super().get_queryset(request).annotate(n=Count("pages"))

    @admin.display(description="版面", ordering="n")
    def n_pages(self, obj: Newspaper) -> int:
        return obj.n
