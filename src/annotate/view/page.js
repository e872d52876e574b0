// annotate view: a layer's checkbox shows or hides its spans; "#hide=a,b" hides layers on load.
function setLayer(name, visible) {
  for (const box of document.querySelectorAll(".legend input[data-layer]")) {
    if (box.dataset.layer === name) {
      box.checked = visible;
      document.body.classList.toggle("hide-" + box.dataset.class, !visible);
    }
  }
}
for (const box of document.querySelectorAll(".legend input[data-layer]")) {
  box.addEventListener("change", () => setLayer(box.dataset.layer, box.checked));
}
const hidden = new URLSearchParams(location.hash.slice(1)).get("hide");
for (const name of hidden ? hidden.split(",") : []) setLayer(name, false);
