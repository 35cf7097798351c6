// The scenario screen's niceties; the form works without them.
// - The photo taken is named on its button.
// - A very large photo is made smaller in the phone before it is sent (mobile data, and the
//   server's limit on image size); a small one is sent as it is.
// - A verdict is sent once, however often its button is tapped.
(() => {
  "use strict";
  const MAX_SIDE = 2560;
  const MAX_BYTES = 3 * 1024 * 1024;

  async function smaller(file) {
    if (!file.type.startsWith("image/") || file.size <= MAX_BYTES || !window.createImageBitmap) {
      return null;
    }
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.85));
    if (!blob || blob.size >= file.size) return null;
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg" });
  }

  function setUp(form) {
    const input = form.querySelector(".photo-button__input");
    const label = form.querySelector("[data-photo-name]");
    let pending = null;
    let sent = false;
    if (input) {
      input.addEventListener("change", () => {
        const file = input.files && input.files[0];
        if (!file) return;
        if (label) label.textContent = "✓ " + file.name;
        pending = smaller(file)
          .then((small) => {
            if (small && window.DataTransfer) {
              const list = new DataTransfer();
              list.items.add(small);
              input.files = list.files;
            }
          })
          .catch(() => {})
          .finally(() => {
            pending = null;
          });
      });
    }
    form.addEventListener("submit", (event) => {
      if (sent) {
        event.preventDefault();
        return;
      }
      if (pending && form.requestSubmit) {
        event.preventDefault();
        const submitter = event.submitter;
        pending.then(() => form.requestSubmit(submitter));
        return;
      }
      sent = true;
    });
    // Back to this page from the history: it may be sent again.
    window.addEventListener("pageshow", () => {
      sent = false;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll(".verdict-form")) setUp(form);
  });
})();
