// Draws the fund's charts with the plotly served by the app (no CDN). Each chart is a <div
// data-chart="..."> whose data sits in a <script type="application/json"> named by
// data-source; labels come translated from the page. When plotly has drawn, the div gets
// data-drawn="true" (the browser tests wait for it).
(function () {
  "use strict";
  if (!window.Plotly) { return; }

  function read(box) {
    return JSON.parse(document.getElementById(box.getAttribute("data-source")).textContent);
  }

  function layout(box, barmode) {
    return {
      barmode: barmode, margin: { t: 20, r: 10, b: 80, l: 80 }, height: 380,
      font: { family: getComputedStyle(document.body).fontFamily },
      legend: { orientation: "h", y: -0.25 },
      yaxis: { title: { text: box.getAttribute("data-y-title") || "" }, tickformat: ",d" },
    };
  }

  function arrearsByProvince(box) {
    var data = read(box);
    var traces = data.buckets.map(function (bucket, index) {
      return { type: "bar", name: data.bucket_labels[index], x: data.provinces,
               y: data.series[index],
               hovertemplate: "%{x}<br>" + data.bucket_labels[index] + ": %{y:,d}<extra></extra>" };
    });
    return Plotly.newPlot(box, traces, layout(box, "stack"), { displaylogo: false, responsive: true });
  }

  function collections(box) {
    var data = read(box);
    var traces = [
      { type: "bar", name: data.billed_label, x: data.months, y: data.billed },
      { type: "scatter", mode: "lines+markers", name: data.collected_label, x: data.months,
        y: data.collected },
    ];
    return Plotly.newPlot(box, traces, layout(box, "group"), { displaylogo: false, responsive: true });
  }

  var draw = { "arrears-by-province": arrearsByProvince, "collections": collections };
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var kind = box.getAttribute("data-chart");
    if (!draw[kind]) { return; }
    Promise.resolve(draw[kind](box)).then(function () {
      box.setAttribute("data-drawn", "true");
    });
  });
})();
