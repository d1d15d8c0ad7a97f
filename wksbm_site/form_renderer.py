"""The forms' renderer: Django's, its most rendered widget templates and the label written in
Python.

A group's page and its edit form render some 200 widget templates each (an input, its
attributes, every option of a select or a list of boxes), each a template of its own through
the template engine: a third of those pages' time. `WIDGETS` writes the same HTML as Django's
templates of the same names (django/forms/templates/django/forms/widgets/), character for
character, escaping and localising each value as the template language does
(tests/test_form_renderer.py renders every widget of the site's forms both ways); any other
template, and a select or list whose options use another template, goes to the templates.
"""

from collections.abc import Callable

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

W = "django/forms/widgets/"


def _value(value) -> str:
    """`{{ value }}`, as the template language writes it (localised, escaped)."""
    value = localize(template_localtime(value, use_tz=settings.USE_TZ))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe value safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 — the filter's
    return text if isinstance(value, SafeData) else escape(text)


def attrs(widget: dict) -> str:
    """widgets/attrs.html."""
    return attrs_of(widget["attrs"])


def attrs_of(mapping: dict) -> str:
    """attrs.html (the widget's, or the label's: django/forms/attrs.html)."""
    out = []
    for name, value in mapping.items():
        if value is not False:
            out.append(f" {_value(name)}" if value is True
                       else f' {_value(name)}="{_string(value)}"')
    return "".join(out)


# Each writer gives what its template file gives, its last newline included (an option's, inside
# its select); the renderer strips the whole widget's, as Django's does.
def input_html(widget: dict) -> str:
    """input.html."""
    value = widget.get("value")
    shown = f' value="{_string(value)}"' if value is not None else ""
    return (f'<input type="{_value(widget.get("type", ""))}" name="{_value(widget["name"])}"'
            f"{shown}{attrs(widget)}>\n")


def an_input(widget: dict) -> str:
    """The inputs that include input.html alone (text.html, number.html…)."""
    return input_html(widget) + "\n"


def option_html(widget: dict) -> str:
    """select_option.html."""
    return (f'<option value="{_string(widget["value"])}"{attrs(widget)}>'
            f'{_value(widget["label"])}</option>\n')


def input_option_html(widget: dict) -> str:
    """input_option.html."""
    if not widget.get("wrap_label"):
        return input_html(widget) + "\n"
    for_id = widget["attrs"].get("id")
    label_for = f' for="{_value(for_id)}"' if for_id else ""
    return f"<label{label_for}>{input_html(widget)} {_value(widget['label'])}</label>\n"


def box_option(widget: dict) -> str:
    """checkbox_option.html, radio_option.html: input_option.html included."""
    return input_option_html(widget) + "\n"


def _options(widget: dict) -> list | None:
    """The optgroups with each option written, or None when one has a template of its own."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        written = []
        for option in options:
            write = OPTIONS.get(option["template_name"])
            if write is None:
                return None
            written.append(write(option))
        groups.append((group_name, written))
    return groups


def select_html(widget: dict) -> str | None:
    """select.html."""
    groups = _options(widget)
    if groups is None:
        return None
    out = [f'<select name="{_value(widget["name"])}"{attrs(widget)}>']
    for group_name, options in groups:
        if group_name:
            out.append(f'\n  <optgroup label="{_value(group_name)}">')
        out.extend(f"\n  {option}" for option in options)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def multiple_input_html(widget: dict) -> str | None:
    """multiple_input.html."""
    groups = _options(widget)
    if groups is None:
        return None
    box_id, box_class = widget["attrs"].get("id"), widget["attrs"].get("class")
    out = ["<div", f' id="{_value(box_id)}"' if box_id else "",
           f' class="{_value(box_class)}"' if box_class else "", ">"]
    for group, options in groups:
        if group:
            out.append(f"\n  <div><label>{_value(group)}</label>")
        out.extend(f"<div>\n    {option}</div>" for option in options)
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def multiple_input_included(widget: dict) -> str | None:
    """checkbox_select.html, radio.html: multiple_input.html included."""
    html = multiple_input_html(widget)
    return None if html is None else html + "\n"


OPTIONS: dict[str, Callable[[dict], str]] = {
    W + "select_option.html": option_html,
    W + "input_option.html": input_option_html,
    W + "checkbox_option.html": box_option,
    W + "radio_option.html": box_option,
}
# Each template and its writer (None from a writer: the template renders it).
WIDGETS: dict[str, Callable[[dict], str | None]] = {
    W + "input.html": input_html,
    **{W + f"{name}.html": an_input for name in (
        "text", "number", "email", "url", "password", "hidden", "search", "tel", "color", "date",
        "datetime", "time", "checkbox")},
    **OPTIONS,
    W + "select.html": select_html,
    W + "multiple_input.html": multiple_input_html,
    W + "checkbox_select.html": multiple_input_included,
    W + "radio.html": multiple_input_included,
}


LABEL = "django/forms/label.html"


def label_html(context: dict) -> str:
    """label.html: a field's label, in its tag when the field has an id."""
    label = _value(context["label"])
    if not context["use_tag"]:
        return label + "\n"
    tag = _value(context["tag"])
    # None when the widget has nothing to point to (an id but no id_for_label)
    return f"<{tag}{attrs_of(context['attrs'] or {})}>{label}</{tag}>\n"


class Renderer(DjangoTemplates):
    """Django's renderer (FORM_RENDERER), the widgets of `WIDGETS` written in Python."""

    def render(self, template_name, context, request=None):
        html = None
        write = WIDGETS.get(template_name)
        if write is not None and "widget" in context:
            html = write(context["widget"])
        elif template_name == LABEL and context.keys() >= {"label", "use_tag", "tag", "attrs"}:
            html = label_html(context)
        if html is not None:
            return mark_safe(html.strip())  # noqa: S308 — every value above is escaped
        return super().render(template_name, context, request)
