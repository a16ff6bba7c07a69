// Preselect the browser's time zone in a time-zone <select data-detect-timezone> that still
// shows its default, so a newcomer does not scroll through 400 zones to find their own.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    var current = select.querySelector("option[selected]");
    if (current && current.value !== "UTC") { return; }  // the user (or the server) chose one
    if (select.querySelector('option[value="' + zone + '"]')) { select.value = zone; }
  });
})();
