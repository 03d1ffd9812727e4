#include "pipeline/train.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "core/random.h"
#include "data/table_io.h"
#include "pipeline/bundle.h"
#include "pipeline/score.h"
#include "report/format.h"
#include "report/report_testing.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::pipeline {
namespace {

namespace fs = std::filesystem;
using upcamp::testing::TempDir;

constexpr const char* kXgbModel =
    "model: {type: t_learner, base: {type: xgboost, params: {max_depth: 3, eta: 0.3, "
    "num_rounds: 20}}}\n";

// A randomized experiment with a known uplift: treated rows with x0 > 0 respond more.
std::string WriteExperiment(const TempDir& dir, int n, uint64_t seed) {
  Rng rng(seed);
  std::string csv = "id,x0,x1,x2,treatment,visit\n";
  for (int i = 0; i < n; ++i) {
    const double x0 = rng.Uniform() * 2 - 1, x1 = rng.Uniform(), x2 = rng.Uniform();
    const int t = rng.Uniform() < 0.5 ? 1 : 0;
    const double p = 0.2 + 0.1 * x1 + (t && x0 > 0 ? 0.25 : 0.0);
    const int y = rng.Uniform() < p ? 1 : 0;
    csv += fmt::format("u{:05d},{:.6f},{:.6f},{:.6f},{},{}\n", i, x0, x1, x2, t, y);
  }
  return dir.Write("train.csv", csv);
}

std::string TableConfig(const std::string& extra = "") {
  return std::string(
             "seed: 11\n"
             "data: {table: train.csv, id: id, treatment: treatment, target: visit}\n") +
         kXgbModel + "validation: {test_fraction: 0.3}\nthreshold: {percentile: 50}\n" + extra;
}

Result<TrainSummary> TrainText(const TempDir& dir, const std::string& yaml, const std::string& out,
                               int threads = 1) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::Parse(yaml, "train.yaml"));
  Context ctx;
  ctx.threads = threads;
  ctx.quiet = true;
  return Train(root, dir.path(), out, {}, ctx);
}

Result<std::vector<double>> ScoreCsv(const Bundle& bundle, const std::string& path) {
  TableReadOptions read;
  read.schema = {{"id", DataType::kString}};
  Context ctx;
  UPCAMP_ASSIGN_OR_RETURN(Table t, ReadTableFile(path, read, ctx));
  return ScoreFeatureTable(bundle, std::move(t), path, ctx);
}

TEST(Train, TableModeWritesAVerifiedBundleThatScoresLikeTraining) {
  TempDir dir;
  WriteExperiment(dir, 4000, 1);
  const std::string out = dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary summary, TrainText(dir, TableConfig(), out));
  EXPECT_EQ(summary.rows, 4000);
  EXPECT_EQ(summary.feature_columns, (std::vector<std::string>{"x0", "x1", "x2"}));
  EXPECT_NEAR(static_cast<double>(summary.validation_rows), 1200, 150);
  ASSERT_TRUE(summary.validation.is_object());
  // The model finds the x0 > 0 uplift: clearly better than random on held-out rows (a random
  // score's normalized Qini is about 0 ± 0.02 here; the perfect curve includes the outcome noise,
  // so even the true uplift scores well below 1).
  EXPECT_GT(summary.validation["qini_auc"].get<double>(), 0.04);

  ASSERT_OK_AND_ASSIGN(Bundle bundle, LoadBundle(out));
  const auto& m = bundle.manifest;
  EXPECT_EQ(m["format_version"], kBundleFormatVersion);
  EXPECT_EQ(m["features"]["columns"].size(), 3u);
  EXPECT_TRUE(m["features"]["config"].is_null());
  EXPECT_EQ(m["target"]["outcome"], "binary");
  EXPECT_EQ(m["score_percentiles"].size(), 101u);
  EXPECT_EQ(m["training_data"]["rows"], 4000);
  EXPECT_FALSE(m["files"].empty());
  ASSERT_TRUE(bundle.threshold.has_value());
  EXPECT_EQ(*bundle.threshold, summary.threshold);
  // The median of the validation scores: the 50th score percentile.
  EXPECT_DOUBLE_EQ(*bundle.threshold, m["score_percentiles"][50].get<double>());

  ASSERT_OK_AND_ASSIGN(auto scores, ScoreCsv(bundle, dir.File("train.csv")));
  ASSERT_EQ(scores.size(), 4000u);
  // Scores separate the x0 > 0 half (true uplift 0.25) from the rest (0).
  TableReadOptions read;
  ASSERT_OK_AND_ASSIGN(Table t, ReadTableFile(dir.File("train.csv"), read, Context{}));
  const auto x0 = t.FindColumn("x0")->float64s();
  double pos = 0, neg = 0;
  int npos = 0, nneg = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    (x0[i] > 0 ? pos : neg) += scores[i];
    (x0[i] > 0 ? npos : nneg) += 1;
  }
  EXPECT_GT(pos / npos - neg / nneg, 0.1);
}

TEST(Train, SameSeedGivesIdenticalBundlesForAnyThreadCount) {
  TempDir dir;
  WriteExperiment(dir, 2000, 2);
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  ASSERT_OK(TrainText(dir, TableConfig(), dir.File("b1"), 1).status());
  ASSERT_OK(TrainText(dir, TableConfig(), dir.File("b2"), 2).status());
  unsetenv("SOURCE_DATE_EPOCH");
  for (const auto& name : upcamp::testing::ListDir(dir.File("b1"))) {
    EXPECT_EQ(upcamp::testing::ReadAll(dir.File("b1/" + name)),
              upcamp::testing::ReadAll(dir.File("b2/" + name)))
        << name;
  }
  // The report is one of the compared files.
  const auto files = upcamp::testing::ListDir(dir.File("b1"));
  EXPECT_NE(std::find(files.begin(), files.end(), "report.html"), files.end());
  ASSERT_OK_AND_ASSIGN(Bundle b1, LoadBundle(dir.File("b1")));
  EXPECT_EQ(b1.manifest["created"], "2023-11-14T22:13:20Z");
}

// ---- the training report ----------------------------------------------------------------------

using upcamp::testing::ParseXml;
using upcamp::testing::TextsOfClass;
using upcamp::testing::XmlElement;

std::vector<std::string> ChartTitles(const XmlElement& root) {
  std::vector<std::string> out;
  for (const XmlElement* svg : root.FindAll("svg")) out.push_back(svg->children.at(0).text);
  return out;
}

// The rows (cell texts) of the first table whose header starts with `first_header`.
std::vector<std::vector<std::string>> TableWithHeader(const XmlElement& root,
                                                      const std::string& first_header) {
  for (const XmlElement* table : root.FindAll("table")) {
    std::vector<std::vector<std::string>> rows;
    for (const XmlElement* tr : table->FindAll("tr")) {
      std::vector<std::string> row;
      for (const auto& cell : tr->children) row.push_back(cell.AllText());
      rows.push_back(std::move(row));
    }
    if (!rows.empty() && !rows[0].empty() && rows[0][0] == first_header) return rows;
  }
  return {};
}

TEST(TrainReport, BundleHoldsAVerifiedReportWithChartsAndTheValidationMetrics) {
  TempDir dir;
  WriteExperiment(dir, 3000, 6);
  const std::string out = dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary summary, TrainText(dir, TableConfig(), out, 2));
  EXPECT_EQ(summary.report_path, out + "/report.html");
  ASSERT_OK_AND_ASSIGN(Bundle bundle, LoadBundle(out));
  // Listed with its SHA-256 like every file, so LoadBundle verified it.
  ASSERT_TRUE(bundle.manifest["files"].contains("report.html"));
  EXPECT_EQ(bundle.manifest["report"], "report.html");

  const std::string html = upcamp::testing::ReadAll(out + "/report.html");
  ASSERT_OK_AND_ASSIGN(XmlElement root, ParseXml(html));
  EXPECT_EQ(ChartTitles(root),
            (std::vector<std::string>{"Qini curve (validation)", "Uplift curve (validation)",
                                      "Uplift by decile of the score (validation)",
                                      "Feature importance"}));
  for (const XmlElement* svg : root.FindAll("svg")) {
    EXPECT_TRUE(upcamp::testing::InsideViewBox(*svg));
    EXPECT_TRUE(TextsOfClass(*svg, "no-data").empty());
  }
  EXPECT_EQ(TextsOfClass(*root.FindAll("svg")[0], "legend"),
            (std::vector<std::string>{"model", "random", "perfect"}));
  // The importance bars name the model's columns, x0 (the uplift driver) first.
  std::vector<std::string> bars;
  for (const auto& tick : TextsOfClass(*root.FindAll("svg")[3], "tick")) {
    if (tick.starts_with("x")) bars.push_back(tick);
  }
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(bars[0], "x0");
  // The metrics table shows the manifest's numbers with their bootstrap intervals.
  const auto metrics = TableWithHeader(root, "metric");
  ASSERT_EQ(metrics.size(), 6u);
  EXPECT_EQ(metrics[1][0], "qini_auc");
  const auto& v = bundle.manifest["validation"]["metrics"];
  EXPECT_EQ(metrics[1][1], report::FormatNumber(v["qini_auc"].get<double>()));
  const auto& iv = v["bootstrap"]["intervals"]["qini_auc"];
  EXPECT_LT(iv["lower"].get<double>(), v["qini_auc"].get<double>());
  EXPECT_GT(iv["upper"].get<double>(), v["qini_auc"].get<double>());
  EXPECT_EQ(metrics[1][2], "[" + report::FormatNumber(iv["lower"].get<double>()) + ", " +
                               report::FormatNumber(iv["upper"].get<double>()) + "]");
  // Ten deciles in the decile table.
  EXPECT_EQ(TableWithHeader(root, "percentile").size(), 11u);
  // No temporary runs folder is left beside the bundle.
  for (const auto& name : upcamp::testing::ListDir(dir.path())) {
    EXPECT_EQ(name.find("train-runs"), std::string::npos) << name;
  }

  // An edited report is refused like any other file of the bundle.
  ASSERT_OK(WriteFileAtomic(out + "/report.html", html + " "));
  auto tampered = LoadBundle(out);
  ASSERT_FALSE(tampered.ok());
  EXPECT_NE(tampered.status().message().find("report.html"), std::string::npos);
}

TEST(TrainReport, WithoutValidationSaysSoAndStillShowsFeatureImportance) {
  TempDir dir;
  WriteExperiment(dir, 1500, 7);
  std::string yaml = TableConfig();
  const std::string validation = "validation: {test_fraction: 0.3}\n";
  yaml.erase(yaml.find(validation), validation.size());
  ASSERT_EQ(yaml.find("validation"), std::string::npos);
  const std::string out = dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary summary, TrainText(dir, yaml, out));
  EXPECT_TRUE(summary.validation.is_null());
  ASSERT_OK_AND_ASSIGN(Bundle bundle, LoadBundle(out));
  ASSERT_TRUE(bundle.manifest["files"].contains("report.html"));
  ASSERT_OK_AND_ASSIGN(XmlElement root, ParseXml(upcamp::testing::ReadAll(out + "/report.html")));
  EXPECT_EQ(ChartTitles(root), (std::vector<std::string>{"Feature importance"}));
  std::string notes;
  for (const XmlElement* d : root.FindAll("div")) {
    if (const std::string* cls = d->Attr("class"); cls && cls->starts_with("note")) {
      notes += d->AllText() + "\n";
    }
  }
  EXPECT_NE(notes.find("No validation was configured"), std::string::npos) << notes;
  EXPECT_TRUE(TableWithHeader(root, "metric").empty());
}

TEST(Train, FoldsGiveOutOfFoldMetricsOnEveryRow) {
  TempDir dir;
  WriteExperiment(dir, 1500, 3);
  std::string yaml = TableConfig();
  yaml.replace(yaml.find("{test_fraction: 0.3}"), 20, "{folds: 3}");
  ASSERT_OK_AND_ASSIGN(TrainSummary summary, TrainText(dir, yaml, dir.File("b")));
  EXPECT_EQ(summary.folds, 3);
  EXPECT_EQ(summary.validation_rows, 1500);
  EXPECT_EQ(summary.train_rows, 1500);  // the shipped model sees every row
}

TEST(Train, ConfigErrorsNameTheKeyBeforeAnyWork) {
  TempDir dir;  // no train.csv: config errors must come first
  auto unknown = TrainText(dir, TableConfig("validaton: {}\n"), dir.File("b"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kConfig);
  EXPECT_NE(unknown.status().message().find("validaton"), std::string::npos);

  std::string bad_model = TableConfig();
  bad_model.replace(bad_model.find("t_learner"), 9, "t_lerner");
  auto model = TrainText(dir, bad_model, dir.File("b"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("t_lerner"), std::string::npos);

  auto both = TrainText(dir,
                        "data: {table: t.csv, treatment: t, target: y}\n" + std::string(kXgbModel) +
                            "validation: {test_fraction: 0.3, folds: 3}\n",
                        dir.File("b"));
  ASSERT_FALSE(both.ok());
  EXPECT_FALSE(fs::exists(dir.File("b")));
}

TEST(Train, DataErrorsNameTheFileAndRow) {
  TempDir dir;
  dir.Write("train.csv", "id,x0,treatment,visit\na,1,0,1\nb,2,1,0\na,3,1,1\n");
  auto duplicate = TrainText(dir, TableConfig(), dir.File("b"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), ErrorCode::kData);
  EXPECT_NE(duplicate.status().message().find("duplicate id 'a'"), std::string::npos);

  dir.Write("train.csv", "id,x0,treatment,visit\na,1,0,1\nb,2,2,0\n");
  auto treatment = TrainText(dir, TableConfig(), dir.File("b"));
  ASSERT_FALSE(treatment.ok());
  EXPECT_NE(treatment.status().message().find("0/1"), std::string::npos);

  dir.Write("train.csv", "id,x0,treatment,visit\na,1,1,1\nb,2,1,0\nc,2,1,0\n");
  auto one_group = TrainText(dir, TableConfig(), dir.File("b"));
  ASSERT_FALSE(one_group.ok());
  EXPECT_NE(one_group.status().message().find("both treated and control"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.File("b")));
}

TEST(Bundle, TamperedOrNewerBundlesAreRefusedNamingTheFile) {
  TempDir dir;
  WriteExperiment(dir, 1000, 4);
  const std::string out = dir.File("bundle");
  ASSERT_OK(TrainText(dir, TableConfig(), out).status());
  ASSERT_OK_AND_ASSIGN(Bundle good, LoadBundle(out));
  const std::string model_file = good.manifest["files"].begin().key();

  // Truncate a model file.
  const std::string path = out + "/" + model_file;
  const std::string content = upcamp::testing::ReadAll(path);
  ASSERT_OK(WriteFileAtomic(path, content.substr(0, content.size() / 2)));
  auto truncated = LoadBundle(out);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), ErrorCode::kData);
  EXPECT_NE(truncated.status().message().find(model_file), std::string::npos);
  EXPECT_NE(truncated.status().message().find("SHA-256"), std::string::npos);
  ASSERT_OK(WriteFileAtomic(path, content));
  ASSERT_OK(LoadBundle(out).status());

  // A bundle from a newer format.
  nlohmann::json manifest = good.manifest;
  manifest["format_version"] = kBundleFormatVersion + 1;
  ASSERT_OK(WriteFileAtomic(out + "/manifest.json", manifest.dump()));
  auto newer = LoadBundle(out);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("format version"), std::string::npos);

  EXPECT_FALSE(LoadBundle(dir.File("nope")).ok());
  // Not a bundle: a folder with other files is never replaced.
  fs::create_directories(dir.File("other"));
  dir.Write("other/keep.txt", "x");
  auto refused = TrainText(dir, TableConfig(), dir.File("other"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(fs::exists(dir.File("other/keep.txt")));
}

TEST(Score, MissingColumnsAreNamed) {
  TempDir dir;
  WriteExperiment(dir, 1000, 5);
  ASSERT_OK(TrainText(dir, TableConfig(), dir.File("bundle")).status());
  ASSERT_OK_AND_ASSIGN(Bundle bundle, LoadBundle(dir.File("bundle")));
  dir.Write("score.csv", "id,x0,x_renamed,x2\na,1,2,3\n");
  auto scored = ScoreCsv(bundle, dir.File("score.csv"));
  ASSERT_FALSE(scored.ok());
  EXPECT_NE(scored.status().message().find("missing feature column(s): x1"), std::string::npos);
  EXPECT_NE(scored.status().message().find("x_renamed"), std::string::npos);
}

TEST(Train, CatalogModeOnSynthDataServesTheFeatureConfigWithoutTheTarget) {
  TempDir dir;
  const std::string data = synth::testing::SharedDatasetDir();
  const std::string yaml = fmt::format(
      "seed: 3\n"
      "data:\n"
      "  catalog: {}/catalog.yaml\n"
      "  date_to: 2019-03-19\n"
      "  features:\n"
      "    - {{name: receipts_basic, args: {{delta: 30}}}}\n"
      "    - {{name: age_gender}}\n"
      "  target:\n"
      "    calcer: {{name: target_from_campaigns, args: {{date_to: 2019-03-21}}}}\n"
      "    expression: \"target_purchases_count > 0\"\n"
      "  transforms:\n"
      "    - {{name: one_hot_encode, args: {{cols: [gender]}}}}\n"
      "{}"
      "validation: {{test_fraction: 0.5}}\n",
      data, kXgbModel);
  const std::string out = dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary summary, TrainText(dir, yaml, out, 2));
  ASSERT_OK_AND_ASSIGN(Bundle bundle, LoadBundle(out));
  const auto& config = bundle.manifest["features"]["config"];
  ASSERT_EQ(config.size(), 2u);  // the target calcer is not served
  for (const auto& column : bundle.feature_columns) {
    EXPECT_EQ(column.find("target_"), std::string::npos) << column;
    EXPECT_NE(column, "treatment_flg");
    EXPECT_NE(column, "gender");  // text: replaced by its one-hot columns
  }
  EXPECT_NE(std::find(bundle.feature_columns.begin(), bundle.feature_columns.end(), "age"),
            bundle.feature_columns.end());
  EXPECT_EQ(bundle.manifest["training_data"]["date_to"], "2019-03-19");
  ASSERT_OK_AND_ASSIGN(Catalog catalog, Catalog::Load(data + "/catalog.yaml"));
  Context ctx;
  ctx.threads = 2;
  ASSERT_OK_AND_ASSIGN(Table features,
                       ExtractServingFeatures(bundle, catalog, 1552953600, std::nullopt, ctx));
  ASSERT_OK_AND_ASSIGN(auto scores, ScoreFeatureTable(bundle, std::move(features), "f", ctx));
  EXPECT_GT(scores.size(), 1000u);
  for (double s : scores) EXPECT_TRUE(std::isfinite(s));
}

}  // namespace
}  // namespace upcamp::pipeline
