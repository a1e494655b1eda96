/* "Copiat": the reminder's copy button says it copied (dcc.Clipboard gives no feedback). The
 * label next to the button is a status region, so screen readers hear it too. */
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-button");
  if (!button) return;
  const label = button.parentElement && button.parentElement.querySelector(".copy-label");
  if (!label || !label.dataset.copied) return;
  label.textContent = label.dataset.copied;
  label.classList.add("is-copied");
  window.clearTimeout(label.copiedTimer);
  label.copiedTimer = window.setTimeout(() => {
    label.textContent = label.dataset.label;
    label.classList.remove("is-copied");
  }, 3000);
});
