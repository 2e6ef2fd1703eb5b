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
        "简称", max_length=64, unique=True, help_text="规范简称，例如 宁波高新区。"
    )
    full_name = models.CharField("全称", max_length=128, blank=True)
    slug = models.SlugField(
        "网址名", max_length=64, unique=True, help_text="园区页面网址中的名称（拼音字母）。"
    )
    province = models.CharField("省份", max_length=32, blank=True)
    city = models.CharField("城市", max_length=32, blank=True)
    approved_year = models.PositiveSmallIntegerField("批准年份", null=True, blank=True)
    aliases = models.TextField(
        "别名",
        blank=True,
        help_text="园区的其他名称，用 | 分隔，例如 厦门高新区|火炬高新区。",
    )
    in_registry = models.BooleanField(
        "在名录中", default=True, help_text="版面提到、但国家高新区名录里没有的园区不勾选。"
    )
    needs_review = models.BooleanField("待复核", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

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


class Newspaper(models.Model):
    """A newspaper whose pages the archive holds (中国高新技术产业导报, …)."""

    title = models.CharField(
        "报纸名称", max_length=128, unique=True, help_text="As printed on the masthead."
    )
    slug = models.SlugField(
        "网址名", max_length=64, unique=True, help_text="Used in /papers/<slug>/."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = verbose_name_plural = "报纸"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("archive:paper", args=[self.slug])


class DateSource(models.TextChoices):
    """Where a page's issue date came from: how far a citation may trust it."""

    PRINTED = "printed", "版面印有"
    GIVEN = "given", "入库时给定"
    ESTIMATED = "estimated", "据正文推断"
    UNKNOWN = "", "不详"


class Page(models.Model):
    """One newspaper page file as it was read."""

    source = models.CharField(
        "版面文件",
        max_length=255,
        unique=True,
        help_text="导入时识别版面的键：相对导入根目录的路径，如 issue1/page01.txt。",
    )
    content_hash = models.CharField(
        "内容校验值", max_length=64, help_text="解码后文字的校验值：文字一变，它就变。"
    )
    pipeline_version = models.PositiveIntegerField("处理程序版本", default=0)
    raw_text = models.TextField("版面原文", help_text="读入时的版面文字，一字未改。")
    encoding = models.CharField("文字编码", max_length=32, default="utf-8")
    issue_date = models.DateField("出版日期", null=True, blank=True)
    issue_date_estimated = models.BooleanField(
        "日期为推断", default=False, help_text="出版日期是从正文推断的，不是报上印的。"
    )
    # Issue metadata for citations; date_source says how issue_date was learnt and is
    # kept in step with issue_date_estimated (estimated ⇔ date_source == "estimated").
    date_source = models.CharField(
        "日期来源", max_length=16, choices=DateSource.choices, default="", blank=True
    )
    newspaper = models.ForeignKey(
        Newspaper,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
        verbose_name="报纸",
    )
    page_label = models.CharField(
        "版次", max_length=32, blank=True, help_text="报上所印或导入时给出的版次：第3版、A3、05。"
    )
    page_number = models.PositiveSmallIntegerField(
        "版号", null=True, blank=True, help_text="版次中的数字，用于引文。"
    )
    ingested_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = verbose_name_plural = "版面"
        indexes = [
            # Newest-first article lists order by the page's issue date.
            models.Index(fields=["-issue_date"], name="page_issue_date"),
        ]

    def __str__(self) -> str:
        return self.source

    @property
    def known_date_source(self) -> str:
        """How issue_date was learnt ("" when there is none); a row saved without
        date_source is read from issue_date_estimated."""
        if self.issue_date is None:
            return ""
        if self.date_source:
            return self.date_source
        return DateSource.ESTIMATED if self.issue_date_estimated else DateSource.GIVEN


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

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="articles", verbose_name="版面"
    )
    public_id = models.CharField(
        "永久编号",
        max_length=16,
        unique=True,
        editable=False,
        help_text="永久链接中的文章编号：首次导入时分配，重新导入不变。",
    )
    ordinal = models.PositiveIntegerField("版内序号", help_text="在版面上的位置，从 1 起。")
    kicker = models.CharField("引题", max_length=255, blank=True)
    dateline = models.CharField(
        "电头",
        max_length=128,
        blank=True,
        help_text="报道开头的电头，如“本报讯(记者 X)”“新华社北京5月3日电”，原样保存，不属于正文。",
    )
    title = models.CharField("标题", max_length=255, blank=True)
    subtitle = models.CharField("副题", max_length=255, blank=True)
    section = models.CharField("栏目", max_length=64, blank=True)
    authors = models.JSONField("作者", default=list, blank=True, help_text="作者姓名。")
    body = models.TextField(
        "正文", blank=True, help_text="整理后的正文，每段一行。"
    )
    credits = models.JSONField(
        "图片来源", default=list, blank=True, help_text="图片署名，每条一行。"
    )
    captions = models.JSONField(
        "图片说明", default=list, blank=True, help_text="图片说明，每条一行。"
    )
    spans = models.JSONField(
        "版面位置", default=list, blank=True, help_text="文章在版面原文中的起止字符位置。"
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
        default=False, help_text="接入了从别的栏位移来的片段，或本身就是这样的片段。"
    )
    review_state = models.CharField(
        "复核状态",
        max_length=16, choices=ReviewState.choices, default=ReviewState.OK
    )
    corrected_fields = models.JSONField(
        "已更正字段", default=list, blank=True, help_text="人工改过的字段；重新导入不会覆盖。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

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

    def save(self, *args, **kwargs) -> None:
        if not self.public_id:
            from archive.permalinks import assign_public_id

            self.public_id = assign_public_id(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The permalink: it stays the same across re-ingest, rebuilds and database moves."""
        return reverse("archive:article_permalink", args=[self.public_id])


class FigureQuerySet(models.QuerySet):
    def public(self) -> FigureQuerySet:
        """Figures readers see: not deleted by staff, in an article readers see."""
        return self.filter(deleted=False).exclude(article__body="")

    def public_in_bulk(self) -> FigureQuerySet:
        """The same figures as public(), for archive-wide counts: the public articles as
        one list built once, instead of a lookup of each figure's article row, which on
        SQLite reads the article's whole body (a count over 134k figures: 0.8 → 0.2 s).
        For a few figures (one article's, one page of results) public() is cheaper."""
        return self.filter(deleted=False, article__in=Article.objects.public().values("pk"))


class Figure(models.Model):
    """A number with its unit and what it counts, read from an article."""

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", "自动抽取"
        HUMAN = "human", "人工添加"

    class Status(models.TextChoices):
        # Values are archive/ingest/figure_kinds.py's STATUSES.
        REPORTED = "reported", "实际"
        TARGET = "target", "目标/预计"
        THRESHOLD = "threshold", "规模门槛"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="figures", verbose_name="文章"
    )
    park = models.ForeignKey(
        Park, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures",
        verbose_name="园区",
    )
    label = models.CharField("指标", max_length=64, blank=True, help_text="统计的是什么。")
    value = models.FloatField("数值", help_text="按报上所印单位的数值。")
    value_max = models.FloatField("上限", null=True, blank=True, help_text="数值区间的上限。")
    value_text = models.CharField("原印数字", max_length=32, blank=True)
    unit = models.CharField("单位", max_length=16, help_text="报上所印单位，例如 亿元。")
    normalized_value = models.FloatField("折算值", help_text="换算成基本单位后的数值。")
    base_unit = models.CharField("基本单位", max_length=16, help_text="金额为 元，其余为单位本身。")
    qualifier = models.CharField(
        "限定词", max_length=8, blank=True, help_text="按原文：超、约、余、以上……"
    )
    printed = models.CharField(
        "原文写法",
        max_length=48,
        blank=True,
        help_text="数字连同限定词和单位，一字不改：10万多吨、超2亿元。",
    )
    status = models.CharField(
        "性质",
        max_length=16,
        choices=Status.choices,
        default=Status.REPORTED,
        help_text="实际：已实现的结果；目标/预计：目标、计划或预测（力争、预计……）；"
        "规模门槛：规模档次（投资5亿元以上项目）。",
    )
    year = models.PositiveSmallIntegerField(
        "年份", null=True, blank=True, help_text="数字所指的年份（目标则为目标年份）。"
    )
    quote = models.TextField("原句", blank=True)
    position = models.PositiveIntegerField(
        "文中位置", default=0, help_text="数字在正文中的字符位置。"
    )
    origin = models.CharField(
        "来源", max_length=16, choices=Origin.choices, default=Origin.EXTRACTED
    )
    deleted = models.BooleanField(
        "已删除", default=False, help_text="人工删除：重新导入不会把它加回来。"
    )
    corrected_fields = models.JSONField("已更正字段", default=list, blank=True)
    extraction_key = models.CharField(
        "抽取标识", max_length=64, blank=True, help_text="重新导入时据此认出同一条数据。"
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
    """One change a person made in admin: the audit trail of human corrections.

    The subject is kept as text too, so the row still says what it was about after the
    article, figure or page it names is deleted.
    """

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections",
        verbose_name="文章",
    )
    figure = models.ForeignKey(
        Figure, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections",
        verbose_name="数据",
    )
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections",
        verbose_name="版面",
    )
    subject = models.CharField("对象", max_length=255, blank=True)
    field = models.CharField("字段", max_length=64)
    old_value = models.TextField("原值", blank=True)
    new_value = models.TextField("新值", blank=True)
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by",
        verbose_name="撤销的修改",
    )
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="修改人",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "修改记录"

    def __str__(self) -> str:
        from archive.corrections import field_label, value_label  # it reads these models

        old, new = value_label(self, self.old_value), value_label(self, self.new_value)
        return f"{self.subject}·{field_label(self)}：{old[:20]} → {new[:20]}"


class IndexTask(models.Model):
    """An article whose search document must be rewritten: the index outbox.

    Recorded in the same transaction as the change (a rolled-back change leaves none),
    deleted by the index writer once the article's document is written
    (`archive.search.writer.drain`: ingest, admin saves after commit, `manage.py
    index_worker`)."""

    # Not a foreign key: the task of a deleted article must outlive the article.
    article_id = models.BigIntegerField(help_text="文章编号（可能已删除）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "索引任务"

    def __str__(self) -> str:
        return f"index article {self.article_id}"


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
    duplicate = models.JSONField("被合并园区的原记录", help_text="撤销合并时据此恢复。")
    moved = models.JSONField("移动的记录", help_text="合并移动的文章和数据编号，撤销时据此移回。")
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("合并时间", auto_now_add=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "园区合并记录"

    def __str__(self) -> str:
        return f"{self.duplicate_name} → {self.into_name}"

