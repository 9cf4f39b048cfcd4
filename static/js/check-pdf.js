// Checks a PDF against the public record without sending it: SHA-256 computed by the browser
// (SubtleCrypto, available on HTTPS and on localhost), then looked up by its fingerprint. Where the
// browser cannot hash, the form is left to post the file. Text is written with textContent only.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form || !window.crypto || !window.crypto.subtle || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var drop = document.getElementById("check-drop");
  var result = document.getElementById("check-result");
  var sha = document.getElementById("check-sha");
  var verdict = document.getElementById("check-verdict");
  var link = document.getElementById("check-link");

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function show(fingerprint, text, ok, url) {
    sha.textContent = fingerprint;
    verdict.textContent = text;
    verdict.className = ok ? "ok" : "error";
    if (url) {
      link.href = url;
      link.hidden = false;
    } else {
      link.hidden = true;
    }
    result.hidden = false;
  }

  function check(file) {
    file.arrayBuffer().then(function (bytes) {
      return window.crypto.subtle.digest("SHA-256", bytes);
    }).then(function (digest) {
      var fingerprint = hex(digest);
      return fetch("/declarations/documents/" + fingerprint + ".json", {headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (found) {
          if (!found.found) {
            show(fingerprint, form.dataset.notFound, false, null);
            return;
          }
          var key = {en: "languageEn", zh_Hans: "languageZh_hans", zh_Hant: "languageZh_hant"}[found.locale];
          var language = (key && form.dataset[key]) || found.locale;
          var text = form.dataset.found.replace("{version}", String(found.version)).replace("{language}", language);
          var status = form.dataset["status" + found.status.charAt(0).toUpperCase() + found.status.slice(1)] || "";
          text += " " + status + (found.withdrawal_reason ? " " + found.withdrawal_reason : "");
          show(fingerprint, text, found.status === "published", found.url);
        });
    }).catch(function () {
      show("", form.dataset.failed, false, null);
    });
  }

  form.addEventListener("submit", function (event) {
    if (input.files && input.files.length) {
      event.preventDefault();
      check(input.files[0]);
    }
  });
  input.addEventListener("change", function () {
    if (input.files && input.files.length) { check(input.files[0]); }
  });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) { check(event.dataTransfer.files[0]); }
  });
}());
