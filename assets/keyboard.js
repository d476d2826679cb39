// Keyboard access to plotly's animation controls, and the page's language on the html element's lang attribute.
// Plotly draws its play/pause buttons and frame slider in SVG, out of the tab order: this gives
// each button a tab stop (Enter or Space presses it) and the slider one (arrow keys, Page Up/Down,
// Home and End step through the frames), by sending plotly the clicks it listens for.
(function () {
  const tags = document.querySelectorAll("[data-softmax-lang]");
  document.documentElement.lang = tags.length ? tags[tags.length - 1].dataset.softmaxLang : "en";
  if (window.__softmaxKeyboard) return;
  window.__softmaxKeyboard = true;

  const centreX = (el) => { const r = el.getBoundingClientRect(); return r.left + r.width / 2; };
  const centreY = (el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; };
  const mouse = (type, x, y) => new MouseEvent(type, { bubbles: true, cancelable: true, view: window, clientX: x, clientY: y, button: 0 });

  function activeStep(group) {
    const opts = group.__data__;
    return opts && typeof opts.active === "number" ? opts.active : 0;
  }

  function goToStep(plot, group, index) {
    const ticks = group.querySelectorAll(".slider-tick-rect");
    const rail = group.querySelector(".slider-rail-touch-rect");
    if (!ticks.length || !rail) return;
    const i = Math.max(0, Math.min(ticks.length - 1, index));
    const x = centreX(ticks[i]), y = centreY(rail);
    rail.dispatchEvent(mouse("mousedown", x, y));
    plot.dispatchEvent(mouse("mouseup", x, y));
    describeSlider(group);
  }

  // Plotly runs a slider's step at the next animation frame, and a step in "immediate" mode stops
  // any animation playing by then: Home, then Enter on play within one frame (a fast typist, a
  // busy machine) played nothing. A press waits for that frame (its callbacks run in the order asked).
  const afterSliderSteps = (press) => requestAnimationFrame(press);

  function describeSlider(group) {
    const ticks = group.querySelectorAll(".slider-tick-rect").length;
    group.setAttribute("aria-valuemin", "0");
    group.setAttribute("aria-valuemax", String(Math.max(ticks - 1, 0)));
    group.setAttribute("aria-valuenow", String(activeStep(group)));
  }

  function enhance(plot) {
    plot.querySelectorAll(".updatemenu-button").forEach((button) => {
      if (button.hasAttribute("tabindex")) return;
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", button.textContent.trim());
      button.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        afterSliderSteps(() => button.dispatchEvent(mouse("click", centreX(button), centreY(button))));
      });
    });
    plot.querySelectorAll(".slider-group").forEach((group) => {
      if (group.hasAttribute("tabindex")) return;
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "slider");
      group.setAttribute("aria-label", group.querySelector(".slider-currentvalue")?.textContent.trim() || "frame");
      describeSlider(group);
      group.addEventListener("keydown", (event) => {
        const last = group.querySelectorAll(".slider-tick-rect").length - 1;
        const now = activeStep(group);
        const moves = { ArrowRight: now + 1, ArrowUp: now + 1, ArrowLeft: now - 1, ArrowDown: now - 1,
                        PageUp: now + 5, PageDown: now - 5, Home: 0, End: last };
        if (!(event.key in moves)) return;
        event.preventDefault();
        goToStep(plot, group, moves[event.key]);
      });
    });
  }

  let queued = false;
  const scan = () => {
    queued = false;
    document.querySelectorAll(".js-plotly-plot").forEach(enhance);
  };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(scan); }
  }).observe(document.body, { childList: true, subtree: true });
  scan();
})();
