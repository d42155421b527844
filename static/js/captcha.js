// The captcha's "换一张" link (templates/reviews/_captcha_widget.html): a new image in place.
// Without this script the link reloads the page, which draws a new image as well.
document.addEventListener("click", async (event) => {
  const link = event.target.closest(".captcha-refresh");
  const box = link && link.closest("[data-captcha-refresh]");
  if (!box) return;
  event.preventDefault();
  const form = box.closest("form") || document;
  try {
    const response = await fetch(box.dataset.captchaRefresh, {
      headers: {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"},
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    const image = box.querySelector("img");
    image.src = data.image_url;
    image.srcset = data.image_url.replace(/\/$/, "@2/") + " 2x";
    const audio = box.querySelector("audio");
    if (audio && data.audio_url) audio.src = data.audio_url;
    form.querySelector("input[name$='captcha_0']").value = data.key;
    const answer = form.querySelector("input[name$='captcha_1']");
    answer.value = "";
    answer.focus();
  } catch (error) {
    window.location.reload();
  }
});
