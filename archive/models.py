"""The archive's records: pages as read, the articles cut from them, zones, and figures.

The database is the source of truth; the search index is derived from it and can always
be rebuilt. Fields a person may correct in admin carry help_text, and every extracted row
remembers which of its fields a person changed (`corrected_fields`) so that re-ingest
leaves those alone.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class ParkQuerySet(models.QuerySet):
    def with_articles(self) -> ParkQuerySet:
        """Zones that at least one public article is about or mentions."""
        about = models.Q(articles__isnull=False) | models.Q(mentioned_in__isnull=False)
        return self.filter(about).distinct()


class Park(models.Model):
    """A national high-tech zone (国家高新区), or one a page named that is not registered."""

    name = models.CharField(
        "简称", max_length=64, unique=True, help_text="Short canonical name, e.g. 宁波高新区."
    )
    full_name = models.CharField("全称", max_length=128, blank=True)
    slug = models.SlugField(max_length=64, unique=True, help_text="Used in /parks/<slug>/.")
    province = models.CharField("省份", max_length=32, blank=True)
    city = models.CharField("城市", max_length=32, blank=True)
    approved_year = models.PositiveSmallIntegerField("批准年份", null=True, blank=True)
    aliases = models.TextField(
        "别名",
        blank=True,
        help_text="Other names the zone goes by, separated by |, e.g. 厦门高新区|火炬高新区.",
    )
    in_registry = models.BooleanField(
        default=True, help_text="False for a zone a page named that the registry lacks."
    )
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["province", "name"]
        verbose_name = verbose_name_plural = "园区"
        # Merging deletes a zone and moves its articles: more than editing one (change_park).
        permissions = [("merge_park", "Can merge a duplicate park into another")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:park", args=[self.slug])

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split("|") if a.strip()]


class Page(models.Model):
    """One newspaper page file as it was read."""

    source = models.CharField(
        max_length=255,
        unique=True,
        help_text="The ingest key: the path below the ingest root, e.g. issue1/page01.txt.",
    )
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the decoded text.")
    pipeline_version = models.PositiveIntegerField(default=0)
    raw_text = models.TextField(help_text="The page text exactly as read.")
    encoding = models.CharField(max_length=32, default="utf-8")
    issue_date = models.DateField(null=True, blank=True)
    issue_date_estimated = models.BooleanField(
        default=False, help_text="True when issue_date was guessed from the text."
    )
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = verbose_name_plural = "版面"
        indexes = [
            # Newest-first article lists order by the page's issue date.
            models.Index(fields=["-issue_date"], name="page_issue_date"),
        ]

    def __str__(self) -> str:
        return self.source


class ReviewState(models.TextChoices):
    OK = "ok", "无需复核"
    NEEDS_REVIEW = "needs_review", "待复核"
    REVIEWED = "reviewed", "已复核"


class ArticleQuerySet(models.QuerySet):
    def public(self) -> ArticleQuerySet:
        """Articles readers see: everything with a body (fragments included, flagged)."""
        return self.exclude(body="")


class Article(models.Model):
    """One article cut from a page."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="articles")
    ordinal = models.PositiveIntegerField("版内序号", help_text="Position on the page, from 1.")
    kicker = models.CharField("引题", max_length=255, blank=True)
    title = models.CharField("标题", max_length=255, blank=True)
    subtitle = models.CharField("副题", max_length=255, blank=True)
    section = models.CharField("栏目", max_length=64, blank=True)
    authors = models.JSONField("作者", default=list, blank=True, help_text="List of names.")
    body = models.TextField(
        "正文", blank=True, help_text="Clean text; paragraphs split by newlines."
    )
    credits = models.JSONField(
        "图片来源", default=list, blank=True, help_text="Image credits, as a JSON list."
    )
    captions = models.JSONField(
        "图片说明", default=list, blank=True, help_text="Photo captions, as a JSON list."
    )
    spans = models.JSONField(
        default=list, blank=True, help_text="[start, end] character spans in the page text."
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name="主要园区",
    )
    parks = models.ManyToManyField(
        Park, blank=True, related_name="mentioned_in", verbose_name="提及的园区"
    )
    starts_mid_sentence = models.BooleanField("开头不完整", default=False)
    ends_mid_sentence = models.BooleanField("结尾不完整", default=False)
    has_fragment = models.BooleanField(
        "含栏目碎片",
        default=False, help_text="A displaced column fragment was joined to it or it is one."
    )
    review_state = models.CharField(
        "复核状态",
        max_length=16, choices=ReviewState.choices, default=ReviewState.OK
    )
    corrected_fields = models.JSONField(
        default=list, blank=True, help_text="Fields a person changed; re-ingest keeps them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["page", "ordinal"]
        verbose_name = verbose_name_plural = "文章"
        get_latest_by = "created_at"
        constraints = [
            # Ingest upserts on this key.
            models.UniqueConstraint(fields=["page", "ordinal"], name="article_page_ordinal"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.page.source} #{self.ordinal}"

    def get_absolute_url(self) -> str:
        return reverse("archive:article", args=[self.pk])


class FigureQuerySet(models.QuerySet):
    def public(self) -> FigureQuerySet:
        """Figures readers see: not deleted by staff, in an article readers see."""
        return self.filter(deleted=False).exclude(article__body="")


class Figure(models.Model):
    """A number with its unit and what it counts, read from an article."""

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", "自动抽取"
        HUMAN = "human", "人工添加"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="figures")
    park = models.ForeignKey(
        Park, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )
    label = models.CharField("指标", max_length=64, blank=True, help_text="What is counted.")
    value = models.FloatField("数值", help_text="Value in the unit as printed.")
    value_max = models.FloatField(null=True, blank=True, help_text="Upper end of a range.")
    value_text = models.CharField(max_length=32, blank=True)
    unit = models.CharField("单位", max_length=16, help_text="Unit as printed, e.g. 亿元.")
    normalized_value = models.FloatField(help_text="Value in the base unit.")
    base_unit = models.CharField(max_length=16, help_text="元 for money, else the unit's base.")
    qualifier = models.CharField(max_length=8, blank=True, help_text="约, 余, 超过 …")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    quote = models.TextField("原句", blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Offset of the number in the body.")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.EXTRACTED)
    deleted = models.BooleanField(
        default=False, help_text="Deleted by a person: re-ingest does not bring it back."
    )
    corrected_fields = models.JSONField(default=list, blank=True)
    extraction_key = models.CharField(
        max_length=64, blank=True, help_text="Identifies the extracted figure across re-ingests."
    )

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["article", "position"]
        verbose_name = verbose_name_plural = "数据"
        indexes = [
            # The figure explorer filters by label, or by base unit, and sorts by value.
            models.Index(fields=["label", "normalized_value"], name="figure_label_value"),
            models.Index(fields=["base_unit", "normalized_value"], name="figure_unit_value"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.value_text or self.value}{self.unit}"


class Correction(models.Model):
    """One field a person changed in admin: the audit trail of human corrections."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    figure = models.ForeignKey(
        Figure, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "修改记录"

    def __str__(self) -> str:
        target = f"figure {self.figure_id}" if self.figure_id else "article"
        return f"{target}.{self.field}: {self.old_value!r} → {self.new_value!r}"


class ParkMerge(models.Model):
    """One park merge as it was done: the audit log that also makes it reversible.

    `duplicate` is the merged-away zone's fields as they were (its row is deleted);
    `moved` lists what moved to `into`: articles whose main zone it was, articles that
    named it (and whether they already named `into`), figures counted for it, and
    `into`'s aliases before the merge.
    """

    # SET_NULL: the zone merged into may itself be merged on later; undo then needs it back.
    into = models.ForeignKey(
        Park, null=True, on_delete=models.SET_NULL, related_name="merges_in",
        verbose_name="合并到",
    )
    into_name = models.CharField("合并到的园区", max_length=64)
    duplicate_name = models.CharField("被合并的园区", max_length=64)
    duplicate = models.JSONField(help_text="The merged-away park's fields, for undo.")
    moved = models.JSONField(help_text="Ids of the rows the merge moved, for undo.")
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "园区合并记录"

    def __str__(self) -> str:
        return f"{self.duplicate_name} → {self.into_name}"
