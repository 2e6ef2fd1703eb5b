"""Django admin: where staff correct what extraction got wrong.

Every change a person saves is recorded as a human correction (see corrections.py), so a
re-ingest of the page never undoes it; figures deleted here are kept as tombstones so they
stay deleted. The review queue lists what extraction was unsure of.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from archive.corrections import (
    MergeRefused,
    mark_reviewed,
    merge_park,
    record_changes,
    undo_merge,
)
from archive.ingest.figures import normalise_unit
from archive.ingest.names import split_names
from archive.models import Article, Correction, Figure, Page, Park, ParkMerge, ReviewState


def reindex(article_ids: list[int]) -> None:
    """Bring the search index up to date with these articles once the save commits."""
    from archive.indexing import sync_articles

    ids = list(article_ids)
    transaction.on_commit(lambda: sync_articles(ids))


# --- articles ---------------------------------------------------------------------------


class ArticleForm(forms.ModelForm):
    authors = forms.CharField(
        label="作者", required=False, help_text="Names separated by spaces, e.g. 洪恒飞 秦羽."
    )

    class Meta:
        model = Article
        fields = [
            "review_state", "section", "kicker", "title", "subtitle", "authors", "park", "parks",
            "body", "credits", "captions", "starts_mid_sentence", "ends_mid_sentence",
            "has_fragment",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["authors"] = " ".join(self.instance.authors or [])

    def clean_authors(self) -> list[str]:
        return split_names(self.cleaned_data.get("authors") or "")


class FigureInlineForm(forms.ModelForm):
    normalized_value = forms.FloatField(
        required=False, help_text="Left empty: computed from value and unit."
    )
    base_unit = forms.CharField(required=False, max_length=16)

    class Meta:
        model = Figure
        fields = [
            "label", "value", "unit", "normalized_value", "base_unit", "year", "park", "quote",
        ]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def clean(self) -> dict:
        data = super().clean()
        value, unit = data.get("value"), data.get("unit")
        if value is not None and unit and (
            data.get("normalized_value") is None
            or "value" in self.changed_data
            or "unit" in self.changed_data
        ):
            data["normalized_value"], data["base_unit"] = normalise_unit(value, unit)
        return data


class FigureInline(admin.TabularInline):
    model = Figure
    form = FigureInlineForm
    extra = 0
    autocomplete_fields = ["park"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Figure]:
        return super().get_queryset(request).filter(deleted=False).select_related("park")


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    can_delete = False
    fields = ["created_at", "user", "figure", "field", "old_value", "new_value"]
    readonly_fields = fields
    verbose_name = "修改记录"
    verbose_name_plural = "修改记录 (who changed what and when)"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReviewQueueFilter(admin.SimpleListFilter):
    """What extraction was unsure of, by reason."""

    title = "复核队列"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("needs_review", "全部待复核"),
            ("no_park", "未识别园区"),
            ("unknown_park", "园区不在名录中"),
            ("mid_sentence", "首尾不完整"),
            ("fragment", "栏目碎片"),
            ("unlabeled_figure", "数据缺指标名"),
        ]

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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["display_title", "park", "page", "issue_date", "review_state", "n_figures"]
    list_filter = [
        ReviewQueueFilter,
        "review_state",
        ("park", admin.RelatedOnlyFieldListFilter),
        "park__province",
        HasFiguresFilter,
        TruncatedFilter,
    ]
    search_fields = ["title", "kicker", "subtitle", "body"]
    autocomplete_fields = ["park", "parks"]
    list_select_related = ["park", "page"]
    inlines = [FigureInline, CorrectionInline]
    actions = ["mark_as_reviewed"]
    readonly_fields = ["page_link", "public_link", "ordinal", "spans", "corrected_fields"]
    fieldsets = [
        (None, {"fields": ["page_link", "public_link", "ordinal", "review_state"]}),
        ("标题", {"fields": ["section", "kicker", "title", "subtitle", "authors"]}),
        ("园区", {"fields": ["park", "parks"]}),
        ("正文", {"fields": ["body", "credits", "captions"]}),
        (
            "版面",
            {
                "classes": ["collapse"],
                "fields": [
                    "starts_mid_sentence", "ends_mid_sentence", "has_fragment", "spans",
                    "corrected_fields",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        live = Count("figures", filter=Q(figures__deleted=False))
        return super().get_queryset(request).annotate(n_live_figures=live)

    @admin.display(description="标题", ordering="title")
    def display_title(self, obj: Article) -> str:
        return obj.title or f"(无标题) {obj.page.source} #{obj.ordinal}"

    @admin.display(description="日期", ordering="page__issue_date")
    def issue_date(self, obj: Article) -> object:
        return obj.page.issue_date

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

    @admin.action(description="标记为已复核", permissions=["change"])
    def mark_as_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = mark_reviewed(queryset, request.user)
        self.message_user(request, f"{count} 篇文章已标记为已复核。", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            changes = [
                (name, form.initial.get(name), form.cleaned_data.get(name))
                for name in form.changed_data
                if name != "parks"
            ]
            record_changes(obj, changes, request.user)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        old_parks = list(form.instance.parks.all()) if change else []
        super().save_related(request, form, formsets, change)
        if change and "parks" in form.changed_data:
            record_changes(form.instance, [("parks", old_parks, form.instance.parks.all())],
                           request.user)
        reindex([form.instance.pk])

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Figure:
            super().save_formset(request, form, formset, change)
            return
        article = form.instance
        figures = formset.save(commit=False)
        for figure in formset.deleted_objects:
            Figure.objects.filter(pk=figure.pk).update(deleted=True)
            record_changes(article, [("deleted", False, True)], request.user, figure)
        for figure in formset.new_objects:
            figure.article = article
            figure.origin = Figure.Origin.HUMAN
            figure.save()
            record_changes(article, [("added", "", str(figure))], request.user, figure)
        for figure, fields in formset.changed_objects:
            initial = next(f.initial for f in formset.forms if f.instance.pk == figure.pk)
            figure.save()
            changes = [(name, initial.get(name), getattr(figure, name)) for name in fields]
            record_changes(article, changes, request.user, figure)
        del figures


# --- parks ------------------------------------------------------------------------------


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Park.objects.all(), label="合并到")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "province", "city", "approved_year", "in_registry",
                    "needs_review", "n_articles"]
    list_filter = ["in_registry", "needs_review", "province"]
    search_fields = ["name", "full_name", "aliases", "city"]
    readonly_fields = ["created_at"]
    actions = ["merge_into"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Park]:
        return super().get_queryset(request).annotate(n=Count("articles"))

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


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ["label", "value_text", "unit", "normalized_value", "base_unit", "park",
                    "year", "article", "origin", "deleted"]
    list_filter = ["base_unit", "origin", "deleted", ("park", admin.RelatedOnlyFieldListFilter),
                   "park__province", "year"]
    search_fields = ["label", "quote"]
    autocomplete_fields = ["park", "article"]
    list_select_related = ["park", "article"]
    readonly_fields = ["extraction_key", "corrected_fields", "position"]

    def save_model(self, request: HttpRequest, obj: Figure, form, change: bool) -> None:
        if not change:
            obj.origin = Figure.Origin.HUMAN
        super().save_model(request, obj, form, change)
        changes = [(n, form.initial.get(n), form.cleaned_data.get(n)) for n in form.changed_data]
        if not change:
            changes = [("added", "", str(obj))]
        record_changes(obj.article, changes, request.user, obj)
        reindex([obj.article_id])

    def delete_model(self, request: HttpRequest, obj: Figure) -> None:
        """Deleting keeps a tombstone, so a re-ingest does not bring the figure back."""
        Figure.objects.filter(pk=obj.pk).update(deleted=True)
        record_changes(obj.article, [("deleted", False, True)], request.user, obj)
        reindex([obj.article_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Figure]) -> None:
        for figure in queryset:
            self.delete_model(request, figure)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["source", "issue_date", "issue_date_estimated", "n_articles", "updated_at"]
    list_filter = ["issue_date_estimated", "encoding"]
    search_fields = ["source", "raw_text"]
    readonly_fields = ["source", "content_hash", "pipeline_version", "encoding", "raw_text",
                       "ingested_at", "updated_at"]
    fields = ["source", "issue_date", "issue_date_estimated", "encoding", "content_hash",
              "pipeline_version", "ingested_at", "updated_at", "raw_text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        return super().get_queryset(request).annotate(n=Count("articles"))

    @admin.display(description="文章", ordering="n")
    def n_articles(self, obj: Page) -> int:
        return obj.n

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pages come from `manage.py ingest`


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "article", "figure", "field", "old_value", "new_value"]
    list_filter = ["field", "user"]
    search_fields = ["article__title", "old_value", "new_value"]
    list_select_related = ["user", "article", "figure"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
