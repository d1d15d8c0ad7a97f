/* Group pickers (registry.forms.GroupPicker, GroupsPicker): as the user types a group's name or
   code, the groups the registry finds are offered in the box's list (a datalist: the browser
   shows and filters it, keyboard and screen readers included). In a picker of several groups a
   group chosen from the list joins the ticked boxes above it and the box empties for the next.
   Without this script the form still finds each group when it is sent. */
(function () {
  "use strict";
  /* Each picker's box brings this script along: the first one wires them all. */
  if (window.wksbmPickers) { return; }
  window.wksbmPickers = true;

  function offered(list, value) {
    return Array.prototype.find.call(list.options, function (option) {
      return option.value === value;
    });
  }

  function tick(input, option) {
    var picked = document.getElementById(input.id + "-dipilih");
    var already = Array.prototype.some.call(picked.querySelectorAll("input"), function (box) {
      return box.value === option.value;
    });
    if (!already) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      label.className = "picked";
      box.type = "checkbox";
      box.name = input.name;
      box.value = option.value;
      box.checked = true;
      label.append(box, " " + option.label);
      picked.append(label);
    }
    input.value = "";
  }

  function wire(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var chosen = input.dataset.many ? offered(list, input.value) : null;
      if (chosen) {
        tick(input, chosen);
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) { return; }
        asked = text;
        var url = input.dataset.cari + "?q=" + encodeURIComponent(text);
        if (input.dataset.desa) { url += "&desa=" + encodeURIComponent(input.dataset.desa); }
        window.fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {hasil: []}; })
          .then(function (data) {
            if (input.value.trim() !== text) { return; }  /* typed on meanwhile */
            list.replaceChildren.apply(list, data.hasil.map(function (group) {
              var option = document.createElement("option");
              option.value = group.kode;
              option.label = group.label;
              option.textContent = group.label;
              return option;
            }));
          })
          .catch(function () { asked = ""; });
      }, 200);
    });
  }

  function wireAll() {
    document.querySelectorAll("input[data-picker][data-cari]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
}());
