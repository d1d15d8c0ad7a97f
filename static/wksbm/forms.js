/* The forms' helpers, wired once for the page however many boxes bring this script along.

   Pickers (registry.forms.GroupPicker, GroupsPicker; members.forms.PersonPicker): as the user
   types a name, a code or a NIK, what the registry finds is offered in the box's list (a
   datalist: the browser shows and filters it, keyboard and screen readers included). In a picker
   of several groups a group chosen from the list joins the ticked boxes above it and the box
   empties for the next. Without this script the form still finds each one when it is sent.

   NIK boxes (registry.forms.NikInput): once 16 digits are typed, the date of birth and the sex it
   encodes fill their boxes where they are empty, a box whose value differs from the NIK says so
   beside it, and so does the NIK box when the NIK was issued outside the form's village. The
   form checks the same when sent (registry.validators.nik_disagreements). */
(function () {
  "use strict";
  if (window.wksbmForms) { return; }
  window.wksbmForms = true;

  /* Pickers ------------------------------------------------------------------------------ */
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

  function wirePicker(input) {
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
            list.replaceChildren.apply(list, data.hasil.map(function (found) {
              var option = document.createElement("option");
              option.value = found.kode;
              option.label = found.label;
              option.textContent = found.label;
              return option;
            }));
          })
          .catch(function () { asked = ""; });
      }, 200);
    });
  }

  /* NIK boxes ---------------------------------------------------------------------------- */
  function decode(nik) {
    if (!/^\d{16}$/.test(nik)) { return null; }
    var day = parseInt(nik.slice(6, 8), 10), month = parseInt(nik.slice(8, 10), 10);
    var year = parseInt(nik.slice(10, 12), 10), sex = "L";
    if (day > 40) { day -= 40; sex = "P"; }
    var now = new Date().getFullYear(), century = Math.floor(now / 100) * 100;
    var full = century + year <= now ? century + year : century - 100 + year;
    var date = new Date(Date.UTC(full, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) { return null; }
    var iso = full + "-" + String(month).padStart(2, "0") + "-" + String(day).padStart(2, "0");
    return {born: iso, sex: sex};
  }

  function note(box, text) {
    if (!box) { return; }
    var id = box.id + "-nik";
    var shown = document.getElementById(id);
    if (!text) { if (shown) { shown.remove(); } return; }
    if (!shown) {
      shown = document.createElement("small");
      shown.id = id;
      shown.className = "nik-note";
      shown.setAttribute("role", "status");
      box.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = text;
  }

  function wireNik(input) {
    var born = document.getElementById(input.dataset.lahir);
    var sex = document.getElementById(input.dataset.kelamin);
    var areaBox = document.getElementById(input.dataset.wilayahDari);
    function check() {
      var nik = input.value.replace(/\s+/g, "");
      var found = decode(nik);
      if (born && found && !born.value) { born.value = found.born; }
      if (sex && found && !sex.value) { sex.value = found.sex; }
      note(born, born && found && born.value !== found.born ? input.dataset.lainLahir : "");
      note(sex, sex && found && sex.value !== found.sex ? input.dataset.lainKelamin : "");
      /* A village code 32.77.01.1002: its kecamatan is the NIK's first six digits. */
      var village = (input.dataset.wilayah || (areaBox ? areaBox.value : "")).trim().split(".");
      var outside = /^\d{16}$/.test(nik) && village.length === 4 &&
        nik.slice(0, 6) !== village.slice(0, 3).join("");
      var kecamatan = [nik.slice(0, 2), nik.slice(2, 4), nik.slice(4, 6)].join(".");
      note(input, outside ? input.dataset.lainWilayah.replace("%s", kecamatan) : "");
    }
    input.addEventListener("input", check);
    [born, sex, areaBox].forEach(function (box) {
      if (box) { box.addEventListener("change", check); }
    });
  }

  function wireAll() {
    document.querySelectorAll("input[data-picker][data-cari]").forEach(wirePicker);
    document.querySelectorAll("input[data-nik]").forEach(wireNik);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
}());
