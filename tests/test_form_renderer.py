"""The forms' renderer (wksbm_site.form_renderer) writes the widgets exactly as Django's templates
do: every kind of widget it writes, with the values that test its escaping and localising, and
every page that shows the site's main forms, rendered both ways."""

import datetime
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from wksbm_site.form_renderer import WIDGETS, Renderer

CHOICES = [("", "---"), ("a", "A & <b>"), (1, 2026), ("g", [("x", "X \"q\""), (3, "Three")]),
           (True, gettext_lazy("Yes")), ("s", mark_safe("<i>safe</i>"))]


class NoLabelFor(forms.TextInput):
    """A widget with an id but nothing a label can point to (as the admin's password hash):
    Django gives its label no attributes at all (None, not {})."""

    def id_for_label(self, id_):
        return ""


class Everything(forms.Form):
    required_css_class = "wajib"
    text = forms.CharField(widget=forms.TextInput(attrs={
        "class": "a&b", "required": True, "disabled": False, "data-x": '"q"', "n": 12000}))
    empty = forms.CharField(required=False)
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "step": 1.5}))
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    hidden = forms.CharField(widget=forms.HiddenInput)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField()
    when = forms.DateTimeField()
    choice = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES)
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple(
        attrs={"class": "boxes"}))
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    yes = forms.BooleanField()
    area = forms.CharField(widget=forms.Textarea, label=mark_safe("<i>Area</i>"))
    shown = forms.CharField(required=False, widget=NoLabelFor)


VALUES = [
    {},
    {"text": '<script>"x" & y</script>', "empty": "", "number": 0, "email": "a@b.c",
     "url": "http://x/?a=1&b=2", "hidden": mark_safe("<b>"), "password": "p<", "date": "2026-12-04",
     "time": "10:00", "when": "2026-12-04 10:00", "choice": "1", "many": ["a", "3", "True"],
     "boxes": ["g", "x", "s"], "radio": "3", "yes": "on", "area": "a\nb"},
]
INITIAL = {"date": datetime.date(2026, 12, 4), "number": 1234567, "when": datetime.datetime(
    2026, 12, 4, 10, 0), "choice": 1, "many": [1, "a"]}


def both(make) -> list[tuple[str, str]]:
    """Each field's widget, label and label with attributes, written both ways."""
    theirs, ours = make(renderer=DjangoTemplates()), make(renderer=Renderer())
    return [(str(written(a)), str(written(b))) for a, b in zip(theirs, ours, strict=True)
            for written in (str, lambda f: f.label_tag(),
                            lambda f: f.label_tag("<b>", {"class": "c&", "hidden": True}, "?"))]


@pytest.mark.parametrize("values", VALUES)
@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("thousands", [False, True])
def test_every_widget_is_written_as_the_templates_write_it(values, language, thousands):
    from django.utils import translation

    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=thousands):
        for make in (lambda **kw: Everything(values or None, initial=INITIAL, **kw),
                     lambda **kw: Everything(auto_id=False, **kw),
                     lambda **kw: Everything(values or None, prefix="p", auto_id="x_%s", **kw)):
            for theirs, ours in both(make):
                assert ours == theirs


def test_the_renderer_knows_the_templates_it_writes():
    assert all(name.startswith("django/forms/widgets/") for name in WIDGETS)


# The tokens that differ on every page: the CSRF token, a form's once-only token.
CSRF = re.compile(r'name="(csrfmiddlewaretoken|sekali)" value="[^"]*"')


def test_the_forms_pages_are_the_same_both_ways(client, operator, make_perkumpulan):
    """A group's page, its edit form and the new group's form, as an operator of its village."""
    group = make_perkumpulan("CBR-DW-001")
    client.force_login(operator)
    pages = {}
    for renderer in ("django.forms.renderers.DjangoTemplates",
                     "wksbm_site.form_renderer.Renderer"):
        with override_settings(FORM_RENDERER=renderer):
            pages[renderer] = [CSRF.sub("", client.get(url).content.decode()) for url in (
                f"/perkumpulan/{group.kode}/", f"/perkumpulan/{group.kode}/ubah/",
                "/perkumpulan/baru/")]
    first, second = pages.values()
    assert first == second
