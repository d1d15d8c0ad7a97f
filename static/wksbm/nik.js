/* A NIK box (registry.forms.NikInput): once 16 digits are typed, the date of birth and the sex
   it encodes fill their boxes where they are empty, and a box whose value differs from the NIK
   says so beside it. The form checks the same when sent (registry.validators.nik_disagreements). */
(function () {
  "use strict";
  if (window.wksbmNik) { return; }
  window.wksbmNik = true;

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

  function wire(input) {
    var born = document.getElementById(input.dataset.lahir);
    var sex = document.getElementById(input.dataset.kelamin);
    function check() {
      var found = decode(input.value.replace(/\s+/g, ""));
      if (!found) { note(born, ""); note(sex, ""); return; }
      if (born && !born.value) { born.value = found.born; }
      if (sex && !sex.value) { sex.value = found.sex; }
      note(born, born && born.value !== found.born ? input.dataset.lainLahir : "");
      note(sex, sex && sex.value !== found.sex ? input.dataset.lainKelamin : "");
    }
    input.addEventListener("input", check);
    if (born) { born.addEventListener("change", check); }
    if (sex) { sex.addEventListener("change", check); }
  }

  function wireAll() {
    document.querySelectorAll("input[data-lahir], input[data-kelamin]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
}());
