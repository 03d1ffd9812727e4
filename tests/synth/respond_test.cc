// `synth respond`: outcomes of a new frozen campaign from the generator's behaviour model.

#include "synth/respond.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unordered_map>

#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::synth {
namespace {

using ::upcamp::synth::testing::ParseCents;
using ::upcamp::synth::testing::ReadSimpleCsv;
using ::upcamp::synth::testing::SharedDatasetDir;
using ::upcamp::synth::testing::SimpleCsv;
using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::TempDir;

std::vector<std::string> ClientIds() {
  std::vector<std::string> ids;
  for (const auto& r : ReadSimpleCsv(SharedDatasetDir() + "/client_profile.csv").rows) {
    ids.push_back(r[0]);
  }
  return ids;
}

// A frozen assignment as `campaign run` writes it: extra columns, sorted by score.
std::string Assignment(const std::vector<std::string>& ids) {
  std::string text = "client_id,group,treatment,score\n";
  for (size_t i = 0; i < ids.size(); ++i) {
    text += ids[i] + (i % 2 == 0 ? ",targeted,offer," : ",control,no_offer,") +
            std::to_string(1.0 - static_cast<double>(i) / ids.size()) + "\n";
  }
  return text;
}

Status Respond(const std::string& assignment, const std::string& out, int threads = 2,
               const std::string& data = SharedDatasetDir()) {
  Context ctx;
  ctx.threads = threads;
  ctx.quiet = true;
  return SimulateResponses(data, assignment, out, ctx);
}

TEST(SynthRespond, WritesOneDeterministicRowPerAssignedClient) {
  TempDir dir;
  std::vector<std::string> ids = ClientIds();
  std::reverse(ids.begin(), ids.end());  // any order; the output follows the assignment
  const std::string assignment = dir.Write("assign.csv", Assignment(ids));
  RespondSummary summary;
  Context ctx;
  ctx.threads = 1;
  ASSERT_OK(SimulateResponses(SharedDatasetDir(), assignment, dir.File("r1.csv"), ctx, &summary));
  EXPECT_EQ(summary.clients, ids.size());
  EXPECT_EQ(summary.offered, (ids.size() + 1) / 2);
  ASSERT_OK(Respond(assignment, dir.File("r2.csv"), 2));
  ASSERT_OK(Respond(assignment, dir.File("r3.csv"), 3));
  const std::string bytes = ReadAll(dir.File("r1.csv"));
  EXPECT_EQ(bytes, ReadAll(dir.File("r2.csv")));
  EXPECT_EQ(bytes, ReadAll(dir.File("r3.csv")));

  const SimpleCsv out = ReadSimpleCsv(dir.File("r1.csv"));
  EXPECT_EQ(out.header,
            (std::vector<std::string>{"client_id", "target_purchases_sum", "target_purchases_count",
                                      "target_campaign_points_spent"}));
  ASSERT_EQ(out.rows.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(out.rows[i][0], ids[i]);
    EXPECT_GE(ParseCents(out.rows[i][1]), 0);
    EXPECT_GE(std::stoll(out.rows[i][2]), 0);
    EXPECT_GE(std::stod(out.rows[i][3]), 0.0);
  }
}

TEST(SynthRespond, DrawsAreIndependentRealizationsEachDeterministic) {
  TempDir dir;
  const std::string assignment = dir.Write("assign.csv", Assignment(ClientIds()));
  Context ctx;
  ctx.quiet = true;
  ASSERT_OK(SimulateResponses(SharedDatasetDir(), assignment, dir.File("d0.csv"), ctx));
  ASSERT_OK(SimulateResponses(SharedDatasetDir(), assignment, dir.File("d1.csv"), ctx, nullptr, 1));
  ctx.threads = 1;
  ASSERT_OK(
      SimulateResponses(SharedDatasetDir(), assignment, dir.File("d1b.csv"), ctx, nullptr, 1));
  EXPECT_EQ(ReadAll(dir.File("d1.csv")), ReadAll(dir.File("d1b.csv")));
  const SimpleCsv d0 = ReadSimpleCsv(dir.File("d0.csv"));
  const SimpleCsv d1 = ReadSimpleCsv(dir.File("d1.csv"));
  ASSERT_EQ(d0.rows.size(), d1.rows.size());
  size_t same_count = 0, positive = 0;
  for (size_t i = 0; i < d0.rows.size(); ++i) {
    ASSERT_EQ(d0.rows[i][0], d1.rows[i][0]);
    positive += std::stoll(d0.rows[i][2]) > 0;
    same_count += d0.rows[i][2] == d1.rows[i][2] && std::stoll(d0.rows[i][2]) > 0;
  }
  // Positive receipt counts agree between two independent Poisson-like draws far less often than
  // they would if the draws were the same.
  ASSERT_GT(positive, 100u);
  EXPECT_LT(same_count, positive / 2);
}

TEST(SynthRespond, OutcomesFollowTheTruthButAreFreshDraws) {
  TempDir dir;
  const std::vector<std::string> ids = ClientIds();
  ASSERT_OK(Respond(dir.Write("assign.csv", Assignment(ids)), dir.File("r.csv")));
  const SimpleCsv out = ReadSimpleCsv(dir.File("r.csv"));
  std::unordered_map<std::string, double> true_uplift;
  for (const auto& r : ReadSimpleCsv(SharedDatasetDir() + "/truth.csv").rows) {
    true_uplift[r[0]] = std::stod(r[9]);
  }
  std::unordered_map<std::string, std::string> past;
  for (const auto& r : ReadSimpleCsv(SharedDatasetDir() + "/campaigns.csv").rows) {
    past[r[0]] = r[4];
  }
  double n[2] = {0, 0}, mean[2] = {0, 0}, sq[2] = {0, 0}, truth = 0;
  int same_as_past = 0;
  for (size_t i = 0; i < out.rows.size(); ++i) {
    const int g = i % 2 == 0 ? 1 : 0;  // even rows were offered
    const double c = std::stod(out.rows[i][2]);
    n[g] += 1;
    mean[g] += c;
    sq[g] += c * c;
    truth += true_uplift.at(out.rows[i][0]);
    same_as_past += past.at(out.rows[i][0]) == out.rows[i][2];
  }
  double var = 0;
  for (int g = 0; g < 2; ++g) {
    mean[g] /= n[g];
    var += (sq[g] / n[g] - mean[g] * mean[g]) / n[g];
  }
  truth /= n[0] + n[1];
  EXPECT_LT(std::fabs(mean[1] - mean[0] - truth), 4.0 * std::sqrt(var))
      << "observed " << mean[1] - mean[0] << " true " << truth;
  EXPECT_LT(same_as_past, static_cast<int>(out.rows.size() * 0.6))
      << "a new period: not the past campaign's draws";
}

TEST(SynthRespond, BadAssignmentsAreDataErrorsNamingTheLine) {
  TempDir dir;
  const std::vector<std::string> ids = ClientIds();
  const auto expect_error = [&](const std::string& name, const std::string& text,
                                const std::vector<std::string>& parts) {
    const std::string path = dir.Write(name, text);
    const Status st = Respond(path, dir.File("out.csv"));
    EXPECT_EQ(st.code(), ErrorCode::kData) << st.ToString();
    for (const auto& part : parts) {
      EXPECT_NE(st.message().find(part), std::string::npos) << st.message() << "\nlacks " << part;
    }
  };
  expect_error("unknown.csv", "client_id,treatment\n" + ids[0] + ",offer\nffffffffff,no_offer\n",
               {"unknown.csv:3", "unknown client_id 'ffffffffff'"});
  expect_error("bad_treatment.csv",
               "client_id,treatment\n" + ids[0] + ",offer\n" + ids[1] + ",maybe\n",
               {"bad_treatment.csv:3", "offer or no_offer", "'maybe'"});
  expect_error(
      "twice.csv",
      "client_id,treatment\n" + ids[0] + ",offer\n" + ids[1] + ",offer\n" + ids[0] + ",no_offer\n",
      {"twice.csv:4", "appears twice", "line 2"});
  expect_error("no_treatment.csv", "client_id,group\n" + ids[0] + ",control\n", {"treatment"});
  // A folder that is not a synth dataset.
  const Status st = Respond(dir.Write("ok.csv", "client_id,treatment\n" + ids[0] + ",offer\n"),
                            dir.File("out.csv"), 2, dir.path());
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("synth.json"), std::string::npos) << st.message();
  // No output was left behind by any failure.
  for (const auto& name : ListDir(dir.path())) EXPECT_EQ(name.find("out.csv"), std::string::npos);
}

}  // namespace
}  // namespace upcamp::synth
