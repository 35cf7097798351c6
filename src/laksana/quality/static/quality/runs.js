// The scenario screen: name the photo taken on its button (the form works without this).
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll(".photo-button__input")) {
    const name = input.closest(".photo-button")?.querySelector("[data-photo-name]");
    if (!name) continue;
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (file) name.textContent = "✓ " + file.name;
    });
  }
});
