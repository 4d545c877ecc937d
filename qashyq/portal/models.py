from django.db import models
from django.utils.translation import gettext_lazy as _

from qashyq.core.models import TimeStampedModel, translated


class DocumentKind(models.TextChoices):
    REGULATION = "regulation", _("Regulation")
    ORDER = "order", _("Order")
    RULES = "rules", _("Rules")
    GUIDE = "guide", _("Guide")


class NormativeDocument(TimeStampedModel):
    """A normative document published on the portal (the DLT regulation first of all)."""

    slug = models.SlugField(_("address"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    body_kk = models.TextField(_("text (Kazakh, Markdown)"), blank=True)
    body_ru = models.TextField(_("text (Russian, Markdown)"), blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    file = models.FileField(_("file"), upload_to="documents/", blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("normative document")
        verbose_name_plural = _("normative documents")
        ordering = ["position", "slug"]

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def body(self) -> str:
        return translated(self, "body")

    def __str__(self) -> str:
        return self.title
