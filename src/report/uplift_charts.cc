#include "report/uplift_charts.h"

#include <cmath>

#include "report/format.h"

namespace upcamp::report {

namespace {

// The last point of the curve with finite coordinates, or false.
bool LastPoint(const CurvePoints& c, double* n, double* value) {
  for (size_t i = std::min(c.n.size(), c.value.size()); i-- > 0;) {
    if (std::isfinite(c.n[i]) && std::isfinite(c.value[i])) {
      *n = c.n[i];
      *value = c.value[i];
      return true;
    }
  }
  return false;
}

Svg CurveChart(const CurvePoints& model, const CurvePoints& perfect, const std::string& title,
               const std::string& y_label) {
  LineChart chart;
  chart.title = title;
  chart.x_label = "clients targeted (highest score first)";
  chart.y_label = y_label;
  if (!model.n.empty()) chart.series.push_back({"model", model.n, model.value, false, ""});
  double n = 0, v = 0;
  if (LastPoint(model, &n, &v) || LastPoint(perfect, &n, &v)) {
    chart.series.push_back({"random", {0, n}, {0, v}, true, std::string(kReferenceColor)});
  }
  if (!perfect.n.empty()) {
    chart.series.push_back({"perfect", perfect.n, perfect.value, true, "#009E73"});
  }
  return RenderLineChart(chart);
}

std::string WithWhat(const std::string& title, const std::string& what) {
  return what.empty() ? title : title + " (" + what + ")";
}

}  // namespace

Svg QiniChart(const UpliftCurves& curves, const std::string& what) {
  return CurveChart(curves.qini, curves.qini_perfect, WithWhat("Qini curve", what),
                    "incremental outcome (Qini)");
}

Svg UpliftCurveChart(const UpliftCurves& curves, const std::string& what) {
  return CurveChart(curves.uplift, curves.uplift_perfect, WithWhat("Uplift curve", what),
                    "uplift \u00D7 clients");
}

Svg DecileChart(const std::vector<DecileRow>& rows, const std::string& what) {
  BarChart chart;
  chart.title = WithWhat("Uplift by decile of the score", what);
  chart.category_label = "percentile of clients by score (highest first)";
  chart.value_label = "uplift (treated \u2212 control mean)";
  BarSeries series;
  series.name = "uplift";
  for (const DecileRow& r : rows) {
    chart.categories.push_back(r.label);
    series.values.push_back(r.uplift);
    const bool err = std::isfinite(r.uplift) && std::isfinite(r.std_uplift);
    series.lower.push_back(err ? r.uplift - 1.96 * r.std_uplift : kUndefined);
    series.upper.push_back(err ? r.uplift + 1.96 * r.std_uplift : kUndefined);
  }
  chart.series = {std::move(series)};
  return RenderBarChart(chart);
}

DataTable DecileTable(const std::vector<DecileRow>& rows) {
  DataTable t;
  t.caption = "Uplift by decile (error bars in the chart: \u00B11.96 std)";
  t.columns = {"percentile",   "treated", "control",   "mean treated",
               "mean control", "uplift",  "std uplift"};
  t.numeric = {false, true, true, true, true, true, true};
  for (const DecileRow& r : rows) {
    t.rows.push_back({r.label, FormatInteger(r.n_treatment), FormatInteger(r.n_control),
                      FormatNumber(r.response_treatment), FormatNumber(r.response_control),
                      FormatNumber(r.uplift), FormatNumber(r.std_uplift)});
  }
  return t;
}

DataTable MetricsTable(const std::vector<MetricValue>& metrics) {
  bool any_ci = false, any_note = false;
  for (const MetricValue& m : metrics) {
    any_ci |= std::isfinite(m.lower) || std::isfinite(m.upper);
    any_note |= !m.note.empty();
  }
  DataTable t;
  t.columns = {"metric", "value"};
  if (any_ci) t.columns.push_back("interval");
  if (any_note) t.columns.push_back("note");
  t.numeric = {false, true};
  if (any_ci) t.numeric.push_back(true);
  if (any_note) t.numeric.push_back(false);
  for (const MetricValue& m : metrics) {
    std::vector<std::string> row = {m.name, FormatNumber(m.value)};
    if (any_ci) {
      row.push_back(std::isfinite(m.lower) || std::isfinite(m.upper)
                        ? "[" + FormatNumber(m.lower) + ", " + FormatNumber(m.upper) + "]"
                        : "");
    }
    if (any_note) row.push_back(m.note);
    t.rows.push_back(std::move(row));
  }
  return t;
}

void AddModelQuality(Section& section, const UpliftCurves& curves,
                     const std::vector<DecileRow>& deciles, const std::string& what) {
  const bool qini = !curves.qini.n.empty() || !curves.qini_perfect.n.empty();
  const bool uplift = !curves.uplift.n.empty() || !curves.uplift_perfect.n.empty();
  if (qini) section.AddChart(QiniChart(curves, what));
  if (uplift) section.AddChart(UpliftCurveChart(curves, what));
  if (!deciles.empty()) {
    section.AddChart(DecileChart(deciles, what));
    section.AddTable(DecileTable(deciles));
  }
  if (!qini && !uplift && deciles.empty()) {
    section.AddNote("No curves or deciles were computed.", NoteKind::kWarning);
  }
}

}  // namespace upcamp::report
