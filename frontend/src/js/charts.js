// Draw the dashboard's Vega-Lite charts. Each chart is an element with
// data-chart-spec="<id>" naming a <script type="application/json" id="<id>"> that holds its
// specification (data, not code, so the Content-Security-Policy allows it). vega-embed uses
// Vega's expression interpreter (ast: true) instead of eval, injects no <style> element
// (defaultStyle: false) and shows no menu (actions: false). Charts stay hidden until drawn:
// without JavaScript, or if drawing fails, the table beside each chart still shows every
// figure.
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart-spec"));
    if (!source || typeof window.vegaEmbed !== "function") return;
    var spec = JSON.parse(source.textContent);
    element.hidden = false;
    window
      .vegaEmbed(element, spec, {
        ast: true,
        defaultStyle: false,
        actions: false,
        renderer: "svg",
        tooltip: false,
      })
      .catch(function (error) {
        element.hidden = true;
        console.warn("chart not drawn: " + error);
      });
  }

  document.querySelectorAll("[data-chart-spec]").forEach(draw);
})();
