#include <gtest/gtest.h>

#include "report/campaign_report.h"
#include "report/training_report.h"
#include "report_testing.h"
#include "sample_reports.h"
#include "testing.h"

namespace upcamp::report {
namespace {

using testing::InsideViewBox;
using testing::ParseXml;
using testing::TextsOfClass;
using testing::XmlElement;

XmlElement ParsePage(const HtmlPage& page) {
  auto r = ParseXml(page.Render());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : XmlElement{};
}

std::vector<std::string> ChartTitles(const XmlElement& root) {
  std::vector<std::string> out;
  for (const XmlElement* svg : root.FindAll("svg")) out.push_back(svg->children.at(0).text);
  return out;
}

std::vector<std::string> SectionTitles(const XmlElement& root) {
  std::vector<std::string> out;
  for (const XmlElement* h : root.FindAll("h2")) out.push_back(h->text);
  return out;
}

// The rows of the n-th <table> as texts.
std::vector<std::vector<std::string>> TableRows(const XmlElement& root, size_t n) {
  std::vector<std::vector<std::string>> out;
  for (const XmlElement* tr : root.FindAll("table").at(n)->FindAll("tr")) {
    std::vector<std::string> row;
    for (const auto& cell : tr->children) row.push_back(cell.AllText());
    out.push_back(row);
  }
  return out;
}

TEST(ReportTraining, HasEveryPartAndValidCharts) {
  const XmlElement root = ParsePage(BuildTrainingReport(testing::SampleTrainingReport(400000)));
  EXPECT_EQ(SectionTitles(root), (std::vector<std::string>{"Summary", "Validation metrics",
                                                           "Model quality on the validation set",
                                                           "Feature importance"}));
  EXPECT_EQ(ChartTitles(root),
            (std::vector<std::string>{"Qini curve (validation)", "Uplift curve (validation)",
                                      "Uplift by decile of the score (validation)",
                                      "Feature importance (top 30 of 40)"}));
  for (const XmlElement* svg : root.FindAll("svg")) {
    EXPECT_TRUE(InsideViewBox(*svg));
    EXPECT_TRUE(TextsOfClass(*svg, "no-data").empty());
  }
  // Curves: model, random and perfect in the legend; the 400k-point curve reduced.
  const XmlElement* qini = root.FindAll("svg")[0];
  EXPECT_EQ(TextsOfClass(*qini, "legend"),
            (std::vector<std::string>{"model", "random", "perfect"}));
  for (const size_t points : testing::PathPointCounts(*qini)) EXPECT_LE(points, 1000u);
  // Feature importance: largest first, 30 bars.
  const XmlElement* fi = root.FindAll("svg")[3];
  const auto labels = TextsOfClass(*fi, "tick");
  EXPECT_NE(std::find(labels.begin(), labels.end(), "purchase_sum_mean__30d_0"), labels.end());
  size_t bars = 0;
  for (const XmlElement* r : fi->FindAll("rect")) bars += !r->children.empty();
  EXPECT_EQ(bars, 30u);
  // Metrics table: CI and note columns, undefined shown as n/a.
  const auto metrics = TableRows(root, 1);
  ASSERT_EQ(metrics.size(), 5u);
  EXPECT_EQ(metrics[0], (std::vector<std::string>{"metric", "value", "interval", "note"}));
  EXPECT_EQ(metrics[1],
            (std::vector<std::string>{"qini_auc", "0.213", "[0.18, 0.245]", "bootstrap 95%"}));
  EXPECT_EQ(metrics[4][1], "n/a");
  // The page is not huge even with 400k-point curves.
  EXPECT_LT(BuildTrainingReport(testing::SampleTrainingReport(400000)).Render().size(), 300000u);
}

TEST(ReportTraining, DeterministicAndIndependentOfImportanceOrder) {
  TrainingReport a = testing::SampleTrainingReport(5000);
  TrainingReport b = a;
  std::reverse(b.feature_importance.begin(), b.feature_importance.end());
  EXPECT_EQ(BuildTrainingReport(a).Render(), BuildTrainingReport(b).Render());
}

TEST(ReportTraining, WithoutValidationShowsTheReasonAndOnlyTheImportance) {
  TrainingReport r = testing::SampleTrainingReport(5000);  // curves given, but not to be shown
  r.no_validation = "No validation was configured.";
  const XmlElement root = ParsePage(BuildTrainingReport(r));
  EXPECT_EQ(ChartTitles(root), (std::vector<std::string>{"Feature importance (top 30 of 40)"}));
  std::vector<std::string> notes;
  for (const XmlElement* d : root.FindAll("div")) {
    if (d->Attr("class")->starts_with("note")) notes.push_back(d->AllText());
  }
  ASSERT_EQ(notes.size(), 2u);  // metrics section and quality section
  EXPECT_EQ(notes[0], "No validation was configured.");
  // The metrics table is left out too.
  for (const XmlElement* th : root.FindAll("th")) EXPECT_NE(th->AllText(), "metric");
}

TEST(ReportTraining, EmptyReportStillRenders) {
  const XmlElement root = ParsePage(BuildTrainingReport(TrainingReport{}));
  EXPECT_EQ(SectionTitles(root).size(), 4u);
  EXPECT_TRUE(root.FindAll("svg").empty());
  size_t notes = 0;
  for (const XmlElement* d : root.FindAll("div")) notes += d->Attr("class")->starts_with("note");
  EXPECT_EQ(notes, 3u);  // no metrics, no curves, no importance
}

TEST(ReportCampaign, EvaluatedReportHasEveryPart) {
  const XmlElement root =
      ParsePage(BuildCampaignReport(testing::SampleCampaignReport(100000, true)));
  EXPECT_EQ(
      SectionTitles(root),
      (std::vector<std::string>{"Campaign", "Selection", "Scores", "Groups and treatments",
                                "Sample ratio check", "Effects", "Model quality out of sample"}));
  const auto titles = ChartTitles(root);
  EXPECT_EQ(titles,
            (std::vector<std::string>{
                "Score distribution of the selected clients", "Clients per group and treatment",
                "Effect per client (difference in mean outcome, Welch 95% CI)",
                "Relative effect (95% CI)", "Qini curve (random target + control)",
                "Uplift curve (random target + control)",
                "Uplift by decile of the score (random target + control)"}));
  for (const XmlElement* svg : root.FindAll("svg")) EXPECT_TRUE(InsideViewBox(*svg));
  // The histogram shows the threshold.
  EXPECT_EQ(TextsOfClass(*root.FindAll("svg")[0], "marker"),
            std::vector<std::string>{"threshold 0.004"});
  // Filters with the clients remaining after each.
  const auto filters = TableRows(root, 2);
  ASSERT_EQ(filters.size(), 3u);
  EXPECT_EQ(filters[1], (std::vector<std::string>{"recent buyers", "time_since_last__30d <= 30",
                                                  "50\u202F000", "4\u202F000", "110\u202F000"}));
  EXPECT_EQ(filters[2][4], "100\u202F000");
  // Groups × treatments with totals.
  const auto groups = TableRows(root, 4);
  ASSERT_EQ(groups.size(), 5u);
  EXPECT_EQ(groups[0], (std::vector<std::string>{"group", "offer", "no_offer", "total", "share"}));
  EXPECT_EQ(groups[1], (std::vector<std::string>{"targeted", "30\u202F000", "30\u202F000",
                                                 "60\u202F000", "60.0%"}));
  EXPECT_EQ(groups[4], (std::vector<std::string>{"total", "50\u202F000", "50\u202F000",
                                                 "100\u202F000", "100.0%"}));
  // The sample ratio table: observed and expected counts, relative difference.
  const auto srm = TableRows(root, 5);
  ASSERT_EQ(srm.size(), 4u);
  EXPECT_EQ(srm[1], (std::vector<std::string>{"targeted", "60\u202F000", "60\u202F000", "0.00%"}));
  // Effects: per-client table with every column (all present in the sample), then relative/total.
  const auto per_client = TableRows(root, 7);  // 6 is the outcome
  ASSERT_EQ(per_client.size(), 6u);
  EXPECT_EQ(per_client[0].size(), 9u);
  EXPECT_EQ(per_client[1][0], "targeted offer vs control above threshold");
  EXPECT_EQ(per_client[1][5], "0.83");
  EXPECT_EQ(per_client[1][6], "[0.41, 1.25]");
  EXPECT_EQ(per_client[1][7], "0.0001");
  const auto totals = TableRows(root, 8);
  EXPECT_EQ(totals[0],
            (std::vector<std::string>{"comparison (A vs B)", "relative", "relative 95% CI",
                                      "total effect", "total 95% CI"}));
  EXPECT_EQ(totals[1][1], "8.3%");
  EXPECT_EQ(totals[1][3], "49800");
  // The forest plot: one row per effect; the "no offer" one is not significant (grey).
  const XmlElement* forest = root.FindAll("svg")[2];
  EXPECT_EQ(TextsOfClass(*forest, "row-label").size(), 5u);
  EXPECT_EQ(*forest->FindAll("circle")[1]->Attr("fill"), "#555555");
  EXPECT_EQ(*forest->FindAll("circle")[0]->Attr("fill"), std::string(PaletteColor(0)));
}

TEST(ReportCampaign, SampleRatioMismatchIsAnAlert) {
  CampaignReport r = testing::SampleCampaignReport(1000, true);
  r.srm.flagged = true;
  r.srm.p_value = 1e-6;
  r.srm.expected = {600.5, 200, 199.5};
  // Columns without any value are left out of the effects tables.
  for (Effect& e : r.effects) e.relative = e.relative_lower = e.relative_upper = kUndefined;
  const XmlElement root = ParsePage(BuildCampaignReport(r));
  EXPECT_EQ(TableRows(root, 5)[1][2], "600.5");
  EXPECT_EQ(TableRows(root, 8)[0],
            (std::vector<std::string>{"comparison (A vs B)", "total effect", "total 95% CI"}));
  EXPECT_EQ(root.FindAll("svg").size(), 6u);  // no relative forest plot
  const std::string html = BuildCampaignReport(r).Render();
  EXPECT_NE(html.find("<div class=\"note alert\">Sample ratio mismatch"), std::string::npos);
  EXPECT_TRUE(ParseXml(html).ok());
}

TEST(ReportCampaign, FrozenRunHasNoEvaluation) {
  const XmlElement root =
      ParsePage(BuildCampaignReport(testing::SampleCampaignReport(2000, false)));
  EXPECT_EQ(SectionTitles(root).back(), "Evaluation");
  EXPECT_EQ(root.FindAll("svg").size(), 2u);  // scores, groups
  CampaignReport empty;
  const XmlElement e = ParsePage(BuildCampaignReport(empty));
  // No scores: the histogram says so instead of failing.
  EXPECT_EQ(TextsOfClass(*e.FindAll("svg")[0], "no-data").size(), 1u);
}

TEST(ReportCampaign, Deterministic) {
  const auto r = testing::SampleCampaignReport(20000, true);
  EXPECT_EQ(BuildCampaignReport(r).Render(), BuildCampaignReport(r).Render());
}

}  // namespace
}  // namespace upcamp::report
