from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from libcoop.catalog.uploads import MAX_UPLOAD_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(label=_("MARC file (ISO 2709 or MARCXML), or a delete list"))
    kind = forms.ChoiceField(
        label=_("Contents"),
        choices=[("records", _("Records")), ("deletes", _("Delete list (one 001 per line)"))],
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 512 MB."))
        return upload


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Target cluster number"), min_value=1, max_value=999_999_999_999_999_999
    )
