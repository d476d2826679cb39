// Presentation mode: fit the slide to the screen, and step through the pages from the keyboard
// (a presentation clicker sends Page Down and Page Up).
(function () {
  if (window.__softmaxPresent) return;
  window.__softmaxPresent = true;
  const WIDTH = 1920, HEIGHT = 1080, FIGURE_WIDTH = 1824;  // the slide as laid out (present.css)

  // Zoom the slide, laid out at 1920x1080 (taller if its content is), down to fit the screen (a
  // larger screen shows it at 1920x1080: browsers scale 4K screens). Streamlit sizes a figure to
  // its box as seen on screen (after the zoom): the box is made larger by the zoom, so the figure
  // is laid out at the slide's size and zoomed like the rest of it.
  function fit() {
    const slide = document.querySelector(".st-key-slide");
    if (!slide) return;
    const height = Math.max(HEIGHT, slide.offsetHeight);
    const zoom = Math.min(1, window.innerWidth / WIDTH, (window.innerHeight - 16) / height);
    const left = Math.max(0, (window.innerWidth / zoom - WIDTH) / 2);
    if (slide.style.zoom !== zoom.toFixed(4)) slide.style.zoom = zoom.toFixed(4);
    slide.style.marginLeft = left.toFixed(1) + "px";
    const box = slide.querySelector("[class*=st-key-chart-], [class*=st-key-graph-], [class*=st-key-wide-]");
    if (box) {
      const width = (FIGURE_WIDTH / zoom).toFixed(1) + "px";
      if (box.style.width !== width) { box.style.width = width; box.style.minWidth = width; box.style.maxWidth = width; }
      // Likewise its height, which Streamlit reads off the figure's element as seen on screen.
      const natural = parseFloat(getComputedStyle(slide).getPropertyValue("--figure-height")) || 0;
      const chart = box.querySelector("[data-testid=stPlotlyChart]");
      if (natural && chart) {
        const tall = (natural / zoom).toFixed(1) + "px";
        if (chart.style.height !== tall) { chart.style.height = tall; chart.style.marginBottom = (natural - natural / zoom).toFixed(1) + "px"; }
      }
    }
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable], [role=slider], .slider-group"));
  }

  const ACTIONS = {
    ArrowRight: ".st-key-slide-next a", PageDown: ".st-key-slide-next a",
    ArrowLeft: ".st-key-slide-prev a", PageUp: ".st-key-slide-prev a",
    Escape: ".st-key-slide-exit button",
  };
  // A key pressed while the slide it leads from is still loading waits for that slide (a clicker's
  // second press comes before the first one's slide is drawn): the slide is there when its run is
  // over and its position differs from the one the key left. Until then the old slide's links are
  // stale: they lead where the first key went.
  const queue = [];
  let awaiting = null;  // {position, since}
  const position = () => (document.querySelector(".st-key-slide [data-testid=stCaptionContainer]") || {}).textContent;
  function arrived() {
    if (!awaiting) return true;
    const app = document.querySelector("[data-testid=stApp]");
    const idle = app && app.getAttribute("data-test-script-state") === "notRunning";
    const moved = position() !== undefined && position() !== awaiting.position;
    if ((idle && moved) || Date.now() - awaiting.since > 10000) awaiting = null;
    return !awaiting;
  }
  function drain() {
    while (queue.length && arrived()) {
      const key = queue.shift();
      const target = document.querySelector(ACTIONS[key]);
      if (!target) continue;
      if (key !== "Escape") awaiting = { position: position(), since: Date.now() };
      target.click();
    }
    if (queue.length) setTimeout(drain, 50);
  }

  document.addEventListener("keydown", (event) => {
    if (!(document.querySelector(".st-key-slide") || awaiting) || event.defaultPrevented || typing(event.target)) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!(event.key in ACTIONS)) return;
    event.preventDefault();
    queue.push(event.key);
    drain();
  });

  let queued = false;
  const schedule = () => {
    // Twice: the figure's box, once sized, changes the slide's height and so the zoom.
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; fit(); fit(); drain(); }); }
  };
  new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", schedule);
  new ResizeObserver(schedule).observe(document.body);
  schedule();
})();
