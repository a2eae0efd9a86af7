// The company import page: show the upload's real progress, then wait honestly for the summary.
// Without JavaScript the form posts normally and the summary page appears when the import is done.
(function () {
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    event.preventDefault();
    box.hidden = false;
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.round(100 * e.loaded / e.total);
        bar.value = pct;
        status.textContent = status.getAttribute("data-sending").replace("{p}", pct);
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate: the server is checking and writing rows
      status.textContent = status.getAttribute("data-working");
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      status.textContent = status.getAttribute("data-failed");
      button.disabled = false;
    });
    xhr.send(new FormData(form));
  });
})();
