// The admin's export page (django-import-export, templates/admin/import_export/export.html):
// its "Select all" box ticks or unticks every field. The library wires it with an inline
// onchange, which the site's Content Security Policy refuses.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", () => {
      document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach((box) => { box.checked = toggle.checked; });
    });
  });
});
