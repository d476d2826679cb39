// The chart's download buttons make a slide: plotly's PNG button and an SVG button added beside
// it export the figure as the server described it in toImageButtonOptions (drawing/slides.py): a
// 16:9 box at the figure's own plot height (labels stay where they are on screen), scaled to
// 3840x2160 (PNG) or 1920x1080 (SVG), without an animation's play buttons and slider, at the
// frame on screen, named for what it shows.
(function () {
  if (window.__softmaxExport) return;
  window.__softmaxExport = true;
  const PNG_TITLE = /^Download plot/;
  const SVG_NS = "http://www.w3.org/2000/svg";

  function exportFigure(plot, format) {
    const o = plot._context.toImageButtonOptions || {};
    const layout = Object.assign({}, plot.layout, {
      updatemenus: [], sliders: [], margin: o.margin || plot.layout.margin, width: o.width, height: o.height,
    });
    const scale = format === "svg" ? o.svgScale : o.scale;
    return window.Plotly.downloadImage(
      { data: plot.data, layout: layout, config: { staticPlot: true } },
      { format: format, width: o.width, height: o.height, scale: scale, filename: o.filename || "figure" },
    );
  }

  function svgButton(pngButton) {
    const button = document.createElement("a");
    button.className = pngButton.className;
    button.setAttribute("rel", "tooltip");
    button.setAttribute("role", "button");
    button.setAttribute("tabindex", "0");
    const title = document.documentElement.lang === "zh-CN" ? "下载 SVG 图" : "Download plot as an SVG";
    button.setAttribute("data-title", title);
    button.setAttribute("aria-label", title);
    button.dataset.softmaxSvg = "1";
    const icon = document.createElementNS(SVG_NS, "svg");
    icon.setAttribute("viewBox", "0 0 30 16");
    icon.setAttribute("height", "1em");
    icon.setAttribute("width", "1.9em");
    icon.setAttribute("class", "icon");
    const text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("x", "15");
    text.setAttribute("y", "13");
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("font-size", "13");
    text.setAttribute("font-weight", "700");
    text.setAttribute("font-family", "sans-serif");
    text.textContent = "SVG";
    icon.appendChild(text);
    button.appendChild(icon);
    return button;
  }

  function enhance(plot) {
    if (!plot.__softmaxExport) {
      plot.__softmaxExport = true;
      // Capture phase: runs before plotly's own listener on the button, which it replaces.
      plot.addEventListener("click", (event) => {
        const button = event.target.closest(".modebar-btn");
        if (!button) return;
        const svg = button.dataset.softmaxSvg === "1";
        if (!svg && !PNG_TITLE.test(button.getAttribute("data-title") || "")) return;
        event.preventDefault();
        event.stopPropagation();
        exportFigure(plot, svg ? "svg" : "png");
      }, true);
      plot.addEventListener("keydown", (event) => {
        const button = event.target.closest && event.target.closest("[data-softmax-svg]");
        if (!button || (event.key !== "Enter" && event.key !== " ")) return;
        event.preventDefault();
        exportFigure(plot, "svg");
      });
    }
    const png = Array.from(plot.querySelectorAll(".modebar-btn")).find(
      (b) => PNG_TITLE.test(b.getAttribute("data-title") || ""));
    if (png && !png.parentNode.querySelector("[data-softmax-svg]")) {
      png.parentNode.insertBefore(svgButton(png), png.nextSibling);
    }
  }

  let queued = false;
  const scan = () => {
    queued = false;
    if (window.Plotly) document.querySelectorAll(".js-plotly-plot").forEach(enhance);
  };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(scan); }
  }).observe(document.body, { childList: true, subtree: true });
  scan();
})();
