#include "report/training_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/format.h"

namespace upcamp::report {

HtmlPage BuildTrainingReport(const TrainingReport& r) {
  HtmlPage page(r.title);
  page.set_subtitle(r.subtitle);
  page.set_footer(r.footer);

  Section& summary = page.AddSection("Summary");
  for (const auto& w : r.warnings) summary.AddNote(w, NoteKind::kWarning);
  summary.AddKeyValues(r.summary);

  Section& metrics = page.AddSection("Validation metrics");
  if (!r.no_validation.empty()) {
    metrics.AddNote(r.no_validation, NoteKind::kWarning);
  } else if (r.metrics.empty()) {
    metrics.AddNote("No validation metrics were computed.", NoteKind::kWarning);
  } else {
    metrics.AddTable(MetricsTable(r.metrics));
  }

  Section& quality = page.AddSection("Model quality on the validation set");
  quality.AddParagraph(
      "Clients are ranked by the model's score, highest first. A curve above the random line "
      "means the model ranks clients who respond to the offer first; the perfect curve is what "
      "an oracle knowing every outcome would achieve.");
  if (!r.no_validation.empty()) {
    quality.AddNote("No held-out scores: no curves or deciles.", NoteKind::kWarning);
  } else {
    AddModelQuality(quality, r.curves, r.deciles, "validation");
  }

  Section& importance = page.AddSection("Feature importance");
  // Largest first; ties by name, so the order never depends on the input order.
  std::vector<std::pair<std::string, double>> features;
  for (const auto& f : r.feature_importance) {
    if (std::isfinite(f.second)) features.push_back(f);
  }
  std::sort(features.begin(), features.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  const size_t total = features.size();
  if (features.size() > r.max_features) features.resize(r.max_features);
  if (features.empty()) {
    importance.AddNote("The model reports no feature importance.", NoteKind::kInfo);
  } else {
    BarChart chart;
    chart.title = total > features.size()
                      ? fmt::format("Feature importance (top {} of {})", features.size(), total)
                      : "Feature importance";
    chart.value_label = r.importance_kind;
    chart.horizontal = true;
    chart.width = 900;
    BarSeries series;
    series.name = r.importance_kind;
    for (const auto& [name, value] : features) {
      chart.categories.push_back(name);
      series.values.push_back(value);
    }
    chart.series = {std::move(series)};
    importance.AddChart(RenderBarChart(chart), {}, true);
  }
  return page;
}

}  // namespace upcamp::report
