#include "report/campaign_report.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "report/format.h"

namespace upcamp::report {

namespace {

std::string CountOrUnknown(int64_t n) {
  return n < 0 ? std::string(kNotAvailable) : FormatInteger(n);
}

// An expected count: grouped digits, one decimal when not whole.
std::string ExpectedCount(double v) {
  if (!std::isfinite(v)) return std::string(kNotAvailable);
  if (v == std::round(v) && std::fabs(v) < 9e15) return FormatInteger(static_cast<int64_t>(v));
  const double whole = std::trunc(v);
  return FormatInteger(static_cast<int64_t>(whole)) +
         FormatFixed(std::fabs(v - whole), 1).substr(1);
}

std::string IntervalText(double lo, double hi) {
  return "[" + FormatNumber(lo) + ", " + FormatNumber(hi) + "]";
}

void AddSelection(const CampaignReport& r, HtmlPage& page) {
  Section& s = page.AddSection("Selection");
  KeyValues counts;
  if (r.base_clients >= 0) counts.push_back({"client base", FormatInteger(r.base_clients)});
  if (!r.subset.empty()) counts.push_back({"random subset", r.subset});
  if (r.selected_clients >= 0)
    counts.push_back({"selected clients", FormatInteger(r.selected_clients)});
  if (!counts.empty()) s.AddKeyValues(counts);
  if (r.filters.empty()) {
    s.AddParagraph("No base filters: every client of the base is eligible.");
    return;
  }
  DataTable t;
  t.caption = "Base filters, in the order applied";
  t.columns = {"filter", "expression", "removed", "of them: missing input"};
  const bool remaining = r.base_clients >= 0;
  if (remaining) t.columns.push_back("remaining");
  t.numeric = {false, false, true, true, true};
  int64_t left = r.base_clients;
  for (const FilterStep& f : r.filters) {
    std::vector<std::string> row = {f.name, f.expression, FormatInteger(f.removed),
                                    CountOrUnknown(f.missing_input)};
    if (remaining) {
      left -= f.removed;
      row.push_back(FormatInteger(left));
    }
    t.rows.push_back(std::move(row));
  }
  s.AddTable(std::move(t));
}

void AddScores(const CampaignReport& r, HtmlPage& page) {
  Section& s = page.AddSection("Scores");
  Histogram h = HistogramOf(r.scores, r.score_bins);
  h.title = "Score distribution of the selected clients";
  h.x_label = r.score_label;
  h.y_label = "clients";
  if (std::isfinite(r.threshold)) {
    h.markers.push_back({r.threshold, "threshold " + FormatNumber(r.threshold), ""});
    int64_t above = 0, scored = 0;
    for (const double v : r.scores) {
      if (!std::isfinite(v)) continue;
      ++scored;
      above += v > r.threshold;
    }
    KeyValues kv = {{"threshold", FormatNumber(r.threshold, 6)}};
    if (!r.threshold_rule.empty()) kv.push_back({"threshold rule", r.threshold_rule});
    kv.push_back(
        {"clients scoring above it",
         scored > 0
             ? fmt::format("{} of {} ({})", FormatInteger(above), FormatInteger(scored),
                           FormatPercent(static_cast<double>(above) / static_cast<double>(scored)))
             : std::string(kNotAvailable)});
    s.AddKeyValues(std::move(kv));
  }
  s.AddChart(RenderHistogram(h), "Every selected client is scored, the control group included.");
}

void AddAssignment(const CampaignReport& r, HtmlPage& page) {
  Section& s = page.AddSection("Groups and treatments");
  const GroupCounts& a = r.assignment;
  if (a.groups.empty()) {
    s.AddNote("No assignment yet.", NoteKind::kInfo);
    return;
  }
  DataTable t;
  t.caption = "Clients per group and treatment";
  t.columns = {"group"};
  for (const auto& tr : a.treatments) t.columns.push_back(tr);
  t.columns.push_back("total");
  t.columns.push_back("share");
  int64_t grand = 0;
  std::vector<int64_t> group_totals(a.groups.size(), 0), column_totals(a.treatments.size(), 0);
  for (size_t g = 0; g < a.groups.size(); ++g) {
    for (size_t c = 0; c < a.treatments.size(); ++c) {
      const int64_t n = g < a.counts.size() && c < a.counts[g].size() ? a.counts[g][c] : 0;
      group_totals[g] += n;
      column_totals[c] += n;
    }
    grand += group_totals[g];
  }
  auto share = [&](int64_t n) {
    return grand > 0 ? FormatPercent(static_cast<double>(n) / static_cast<double>(grand))
                     : std::string(kNotAvailable);
  };
  for (size_t g = 0; g < a.groups.size(); ++g) {
    std::vector<std::string> row = {a.groups[g]};
    for (size_t c = 0; c < a.treatments.size(); ++c) {
      row.push_back(
          FormatInteger(g < a.counts.size() && c < a.counts[g].size() ? a.counts[g][c] : 0));
    }
    row.push_back(FormatInteger(group_totals[g]));
    row.push_back(share(group_totals[g]));
    t.rows.push_back(std::move(row));
  }
  std::vector<std::string> total_row = {"total"};
  for (const int64_t n : column_totals) total_row.push_back(FormatInteger(n));
  total_row.push_back(FormatInteger(grand));
  total_row.push_back(share(grand));
  t.rows.push_back(std::move(total_row));
  s.AddTable(std::move(t));

  BarChart chart;
  chart.title = "Clients per group and treatment";
  chart.category_label = "group";
  chart.value_label = "clients";
  chart.categories = a.groups;
  for (size_t c = 0; c < a.treatments.size(); ++c) {
    BarSeries series;
    series.name = a.treatments[c];
    for (size_t g = 0; g < a.groups.size(); ++g) {
      series.values.push_back(g < a.counts.size() && c < a.counts[g].size()
                                  ? static_cast<double>(a.counts[g][c])
                                  : 0.0);
    }
    chart.series.push_back(std::move(series));
  }
  s.AddChart(RenderBarChart(chart));
}

void AddSrm(const SrmCheck& srm, HtmlPage& page) {
  Section& s = page.AddSection("Sample ratio check");
  if (!srm.computed) {
    s.AddNote("The sample ratio check was not computed.", NoteKind::kWarning);
    return;
  }
  const std::string verdict = fmt::format("chi-square = {}, p = {}", FormatNumber(srm.chi_square),
                                          FormatNumber(srm.p_value, 3));
  if (srm.flagged) {
    s.AddNote(
        "Sample ratio mismatch: group sizes differ from the design more than chance "
        "explains (" +
            verdict +
            "). The assignment or the data may be broken; do not "
            "trust the effects below before finding out why.",
        NoteKind::kAlert);
  } else {
    s.AddNote("Group sizes match the design (" + verdict + ").", NoteKind::kInfo);
  }
  DataTable t;
  t.columns = {"group", "observed", "expected", "difference"};
  for (size_t i = 0; i < srm.groups.size(); ++i) {
    const double obs = i < srm.observed.size() ? static_cast<double>(srm.observed[i]) : kUndefined;
    const double exp = i < srm.expected.size() ? srm.expected[i] : kUndefined;
    t.rows.push_back({srm.groups[i], i < srm.observed.size() ? FormatInteger(srm.observed[i]) : "",
                      ExpectedCount(exp),
                      std::isfinite(exp) && exp > 0 ? FormatPercent((obs - exp) / exp, 2)
                                                    : std::string(kNotAvailable)});
  }
  s.AddTable(std::move(t));
}

void AddEffects(const CampaignReport& r, HtmlPage& page) {
  Section& s = page.AddSection("Effects");
  if (!r.outcome.empty()) s.AddKeyValues({{"outcome", r.outcome}});
  if (r.effects.empty()) {
    s.AddNote("No effects were computed.", NoteKind::kWarning);
    return;
  }
  IntervalPlot abs;
  abs.title = "Effect per client (difference in mean outcome, Welch 95% CI)";
  abs.x_label = "difference in mean outcome per client";
  IntervalPlot rel;
  rel.title = "Relative effect (95% CI)";
  rel.x_label = "change relative to the comparison group";
  bool any_rel = false;
  for (const Effect& e : r.effects) {
    std::string note = FormatNumber(e.estimate) + " " + IntervalText(e.lower, e.upper);
    if (std::isfinite(e.p_value)) note += ", p=" + FormatNumber(e.p_value, 2);
    abs.rows.push_back({e.comparison, e.estimate, e.lower, e.upper, note});
    rel.rows.push_back({e.comparison, e.relative, e.relative_lower, e.relative_upper,
                        FormatPercent(e.relative) + " [" + FormatPercent(e.relative_lower) + ", " +
                            FormatPercent(e.relative_upper) + "]"});
    any_rel |= std::isfinite(e.relative);
  }
  abs.width = rel.width = 960;
  s.AddChart(RenderIntervalPlot(abs), {}, true);
  if (any_rel) s.AddChart(RenderIntervalPlot(rel), {}, true);

  // Two tables (per client; relative and in total), each with the columns that have a value in
  // some row: one wide table would wrap the comparison names into tall rows.
  struct Column {
    std::string name;
    std::function<std::string(const Effect&)> cell;
    bool present;
  };
  auto any = [&](auto get) {
    for (const Effect& e : r.effects) {
      if (std::isfinite(get(e))) return true;
    }
    return false;
  };
  auto add_table = [&](std::string caption, const std::vector<Column>& columns) {
    DataTable t;
    t.caption = std::move(caption);
    for (const Column& c : columns) {
      if (!c.present) continue;
      t.columns.push_back(c.name);
      t.numeric.push_back(t.columns.size() > 1);
    }
    if (t.columns.size() <= 1) return;
    for (const Effect& e : r.effects) {
      std::vector<std::string> row;
      for (const Column& c : columns) {
        if (c.present) row.push_back(c.cell(e));
      }
      t.rows.push_back(std::move(row));
    }
    s.AddTable(std::move(t));
  };
  const Column comparison{"comparison (A vs B)", [](const Effect& e) { return e.comparison; },
                          true};
  add_table("Per client: A \u2212 B in mean outcome",
            {comparison,
             {"n A", [](const Effect& e) { return CountOrUnknown(e.n_a); }, true},
             {"n B", [](const Effect& e) { return CountOrUnknown(e.n_b); }, true},
             {"mean A", [](const Effect& e) { return FormatNumber(e.mean_a); },
              any([](const Effect& e) { return e.mean_a; })},
             {"mean B", [](const Effect& e) { return FormatNumber(e.mean_b); },
              any([](const Effect& e) { return e.mean_b; })},
             {"effect", [](const Effect& e) { return FormatNumber(e.estimate); }, true},
             {"Welch 95% CI", [](const Effect& e) { return IntervalText(e.lower, e.upper); }, true},
             {"p", [](const Effect& e) { return FormatNumber(e.p_value, 2); },
              any([](const Effect& e) { return e.p_value; })},
             {"bootstrap 95% CI",
              [](const Effect& e) { return IntervalText(e.bootstrap_lower, e.bootstrap_upper); },
              any([](const Effect& e) { return e.bootstrap_lower; })}});
  add_table("Relative to B, and in total over A's clients",
            {comparison,
             {"relative", [](const Effect& e) { return FormatPercent(e.relative); }, any_rel},
             {"relative 95% CI",
              [](const Effect& e) {
                return "[" + FormatPercent(e.relative_lower) + ", " +
                       FormatPercent(e.relative_upper) + "]";
              },
              any([](const Effect& e) { return e.relative_lower; })},
             {"total effect", [](const Effect& e) { return FormatNumber(e.total, 5); },
              any([](const Effect& e) { return e.total; })},
             {"total 95% CI",
              [](const Effect& e) {
                return "[" + FormatNumber(e.total_lower, 5) + ", " +
                       FormatNumber(e.total_upper, 5) + "]";
              },
              any([](const Effect& e) { return e.total_lower; })}});
}

}  // namespace

HtmlPage BuildCampaignReport(const CampaignReport& r) {
  HtmlPage page(r.title);
  page.set_subtitle(r.subtitle);
  page.set_footer(r.footer);

  Section& summary = page.AddSection("Campaign");
  for (const auto& w : r.warnings) summary.AddNote(w, NoteKind::kWarning);
  summary.AddKeyValues(r.summary);

  AddSelection(r, page);
  AddScores(r, page);
  AddAssignment(r, page);

  if (!r.evaluated) {
    page.AddSection("Evaluation")
        .AddNote(
            "Not evaluated yet: after the campaign, run `upcamp campaign evaluate` with the "
            "observed responses to add the effects and the model's out-of-sample quality.",
            NoteKind::kInfo);
    return page;
  }
  AddSrm(r.srm, page);
  AddEffects(r, page);
  Section& quality = page.AddSection("Model quality out of sample");
  quality.AddParagraph(
      "Measured on the random target and control groups only: their assignment did not depend on "
      "the score, so together they are a fresh randomized experiment the model never saw.");
  if (!r.model_metrics.empty()) quality.AddTable(MetricsTable(r.model_metrics));
  AddModelQuality(quality, r.curves, r.deciles, "random target + control");
  return page;
}

}  // namespace upcamp::report
