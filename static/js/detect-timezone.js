// Time-zone fields (<select data-timezone>, accounts.forms.TimezoneField): a search box above
// the list that narrows its 400-odd zones as you type ("lisbon", "new york") and picks the first
// match; and on the forms where people give their own zone (data-detect-timezone), the browser's
// zone preselected while the field still shows its default. Without JavaScript the list works.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = ""; }
  function preselect(select) {
    if (!zone || !select.hasAttribute("data-detect-timezone")) { return; }
    var current = select.querySelector("option[selected]");
    if (current && current.value !== "UTC") { return; }  // the user (or the server) chose one
    if (select.querySelector('option[value="' + zone + '"]')) { select.value = zone; }
  }
  function searchable(select) {
    if (select.dataset.tzSearch === "on") { return; }
    select.dataset.tzSearch = "on";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-1";
    input.placeholder = "Type a city or region, e.g. Lisbon";
    input.setAttribute("aria-label", "Filter the list by city or region");
    if (select.id) { input.setAttribute("aria-controls", select.id); }
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().replace(/\s+/g, "_");
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !words || option.value.toLowerCase().indexOf(words) !== -1;
        option.hidden = !match;
        if (match && !first) { first = option; }
      });
      if (words && first && (!select.selectedOptions[0] || select.selectedOptions[0].hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  document.querySelectorAll("select[data-timezone]").forEach(function (select) {
    preselect(select);
    searchable(select);
  });
})();
