// Tells Parley the browser's time zone (an IANA name such as "Europe/Paris"), so pages show
// times where the reader is. Without it (or without JavaScript) times are shown in UTC, labelled.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("parley_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "parley_tz=" + encodeURIComponent(zone) +
        "; path=/; max-age=31536000; samesite=lax" +
        (location.protocol === "https:" ? "; secure" : "");
    }
  } catch (e) { /* an old browser: UTC it is */ }
})();
