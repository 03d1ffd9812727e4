#include "campaign/design.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "testing.h"

namespace upcamp::campaign {
namespace {

Result<CampaignConfig> Parse(const std::string& yaml) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::Parse(yaml, "campaign.yaml"));
  return ParseCampaignConfig(root, "/base", "");
}

constexpr const char* kHeader =
    "name: t\nseed: 7\ncatalog: data/catalog.yaml\nmodel: m\ndate_to: 2019-03-19\n";

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back(fmt::format("c{:06x}", i * 7919));
  return ids;
}

TEST(CampaignConfig, ParsesAndResolvesPaths) {
  ASSERT_OK_AND_ASSIGN(auto c, Parse(std::string(kHeader) +
                                     "groups:\n"
                                     "  - {name: control, size: 10, treatment: {type: constant, "
                                     "value: no_offer}}\n"
                                     "  - {name: targeted, size: 20, treatment: {type: model}}\n"
                                     "threshold: {type: top_fraction, value: 0.25}\n"));
  EXPECT_EQ(c.catalog_path, "/base/data/catalog.yaml");
  EXPECT_EQ(c.model_dir, "/base/m");
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_TRUE(c.groups[1].model_treatment);
  EXPECT_EQ(c.threshold.kind, ThresholdKind::kTopFraction);
  EXPECT_EQ(c.ToJson()["groups"][0]["treatment"]["value"], "no_offer");
}

TEST(CampaignConfig, RejectsBadInputNamingTheKey) {
  const std::string groups =
      "groups:\n  - {name: a, size: 1, treatment: {type: constant, value: offer}}\n";
  auto unknown = Parse(std::string(kHeader) + groups + "selektion: {}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("selektion"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("selection"), std::string::npos);  // did you mean

  auto fractions = Parse(std::string(kHeader) +
                         "groups:\n"
                         "  - {name: a, fraction: 0.7, treatment: {type: model}}\n"
                         "  - {name: b, fraction: 0.4, treatment: {type: model}}\n");
  ASSERT_FALSE(fractions.ok());
  EXPECT_NE(fractions.status().message().find("sum to"), std::string::npos);

  auto mixed = Parse(std::string(kHeader) +
                     "groups:\n"
                     "  - {name: a, fraction: 0.5, treatment: {type: model}}\n"
                     "  - {name: b, size: 4, treatment: {type: model}}\n");
  ASSERT_FALSE(mixed.ok());

  auto filter = Parse(std::string(kHeader) + groups + "selection: {filters: [\"age >= \"]}\n");
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), ErrorCode::kConfig);
  EXPECT_NE(filter.status().message().find("campaign.yaml:"), std::string::npos);

  auto duplicate = Parse(std::string(kHeader) +
                         "groups:\n"
                         "  - {name: a, size: 1, treatment: {type: model}}\n"
                         "  - {name: a, size: 1, treatment: {type: model}}\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("duplicate"), std::string::npos);

  auto target_calcer = Parse(std::string(kHeader) + groups +
                             "selection: {features: [{name: target_from_campaigns, args: "
                             "{date_to: 2019-03-21}}]}\n");
  ASSERT_FALSE(target_calcer.ok());
}

Table FeatureTable(int n) {
  std::vector<double> age(static_cast<size_t>(n)), count(static_cast<size_t>(n));
  auto ids = Ids(n);
  Column id = Column::StringFromValues("client_id", std::vector<std::optional<std::string>>(ids.begin(), ids.end()));
  for (int i = 0; i < n; ++i) {
    age[static_cast<size_t>(i)] = i % 10 == 0 ? kNullFloat64 : 10 + i % 60;
    count[static_cast<size_t>(i)] = i % 3;
  }
  return Table::Make({id, Column::Float64("age", age), Column::Float64("cnt", count)}).value();
}

TEST(SelectClients, EverySelectedClientSatisfiesTheFiltersAndCountsAddUp) {
  ASSERT_OK_AND_ASSIGN(
      auto c, Parse(std::string(kHeader) +
                    "selection: {filters: [\"age >= 18\", \"cnt > 0\"]}\n"
                    "groups: [{name: a, fraction: 1, treatment: {type: model}}]\n"));
  const Table t = FeatureTable(1000);
  ASSERT_OK_AND_ASSIGN(Selection s, SelectClients(c, t));
  const auto age = t.FindColumn("age")->float64s();
  const auto cnt = t.FindColumn("cnt")->float64s();
  // Independent check of the rule, row by row.
  std::vector<int64_t> expected;
  int64_t missing = 0, young = 0, zero = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    const auto r = static_cast<size_t>(i);
    if (std::isnan(age[r])) {
      ++missing;
    } else if (age[r] < 18) {
      ++young;
    } else if (cnt[r] <= 0) {
      ++zero;
    } else {
      expected.push_back(i);
    }
  }
  EXPECT_EQ(s.rows, expected);
  ASSERT_EQ(s.filters.size(), 2u);
  EXPECT_EQ(s.filters[0].removed_missing, missing);
  EXPECT_EQ(s.filters[0].removed, young);
  EXPECT_EQ(s.filters[1].removed, zero);
  EXPECT_EQ(s.candidates, 1000);
  EXPECT_EQ(s.after_filters, static_cast<int64_t>(expected.size()));
}

TEST(SelectClients, SampleSizeIsExactAndFractionWithinBinomialBounds) {
  const Table t = FeatureTable(20000);
  ASSERT_OK_AND_ASSIGN(auto by_size,
                       Parse(std::string(kHeader) + "selection: {sample: {size: 1234}}\n"
                                                    "groups: [{name: a, fraction: 1, treatment: "
                                                    "{type: model}}]\n"));
  ASSERT_OK_AND_ASSIGN(Selection s, SelectClients(by_size, t));
  EXPECT_EQ(s.rows.size(), 1234u);
  EXPECT_TRUE(std::is_sorted(s.rows.begin(), s.rows.end()));

  ASSERT_OK_AND_ASSIGN(auto by_fraction,
                       Parse(std::string(kHeader) + "selection: {sample: {fraction: 0.3}}\n"
                                                    "groups: [{name: a, fraction: 1, treatment: "
                                                    "{type: model}}]\n"));
  ASSERT_OK_AND_ASSIGN(Selection f, SelectClients(by_fraction, t));
  const double sd = std::sqrt(20000 * 0.3 * 0.7);
  EXPECT_NEAR(static_cast<double>(f.rows.size()), 6000.0, 5 * sd);

  auto too_big = Parse(std::string(kHeader) + "selection: {sample: {size: 30000}}\n"
                                              "groups: [{name: a, fraction: 1, treatment: "
                                              "{type: model}}]\n");
  ASSERT_TRUE(too_big.ok());
  EXPECT_FALSE(SelectClients(*too_big, t).ok());
}

TEST(SelectClients, EmptySelectionIsAClearError) {
  ASSERT_OK_AND_ASSIGN(auto c, Parse(std::string(kHeader) +
                                     "selection: {filters: [\"age > 1000\"]}\n"
                                     "groups: [{name: a, fraction: 1, treatment: {type: model}}]\n"));
  auto s = SelectClients(c, FeatureTable(100));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("empty"), std::string::npos);
  EXPECT_NE(s.status().message().find("age > 1000"), std::string::npos);
}

TEST(AssignGroups, SizesAreExactAndIndependentOfRowOrder) {
  ASSERT_OK_AND_ASSIGN(auto c, Parse(std::string(kHeader) +
                                     "groups:\n"
                                     "  - {name: control, size: 300, treatment: {type: constant, "
                                     "value: no_offer}}\n"
                                     "  - {name: random, size: 200, treatment: {type: constant, "
                                     "value: offer}}\n"
                                     "  - {name: targeted, size: 400, treatment: {type: model}}\n"));
  auto ids = Ids(1000);
  ASSERT_OK_AND_ASSIGN(auto groups, AssignGroups(c, ids));
  std::map<int32_t, int> counts;
  std::map<std::string, int32_t> by_id;
  for (size_t i = 0; i < ids.size(); ++i) {
    ++counts[groups[i]];
    by_id[ids[i]] = groups[i];
  }
  EXPECT_EQ(counts[0], 300);
  EXPECT_EQ(counts[1], 200);
  EXPECT_EQ(counts[2], 400);
  EXPECT_EQ(counts[-1], 100);

  std::mt19937 shuffle_rng(3);
  std::shuffle(ids.begin(), ids.end(), shuffle_rng);
  ASSERT_OK_AND_ASSIGN(auto shuffled, AssignGroups(c, ids));
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(shuffled[i], by_id[ids[i]]) << ids[i];

  ids.resize(800);
  auto too_many = AssignGroups(c, ids);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("900"), std::string::npos);
}

TEST(AssignGroups, FractionsWithinBinomialBoundsAndIndependentOfOtherClients) {
  ASSERT_OK_AND_ASSIGN(auto c, Parse(std::string(kHeader) +
                                     "groups:\n"
                                     "  - {name: control, fraction: 0.1, treatment: {type: "
                                     "constant, value: no_offer}}\n"
                                     "  - {name: targeted, fraction: 0.8, treatment: {type: "
                                     "model}}\n"));
  const auto ids = Ids(50000);
  ASSERT_OK_AND_ASSIGN(auto groups, AssignGroups(c, ids));
  std::map<int32_t, double> counts;
  for (int32_t g : groups) counts[g] += 1;
  const double n = 50000;
  EXPECT_NEAR(counts[0], 0.1 * n, 5 * std::sqrt(n * 0.1 * 0.9));
  EXPECT_NEAR(counts[1], 0.8 * n, 5 * std::sqrt(n * 0.8 * 0.2));
  EXPECT_NEAR(counts[-1], 0.1 * n, 5 * std::sqrt(n * 0.1 * 0.9));
  // A client's group with fractions does not depend on who else is in the base.
  const std::vector<std::string> half(ids.begin(), ids.begin() + 25000);
  ASSERT_OK_AND_ASSIGN(auto half_groups, AssignGroups(c, half));
  for (size_t i = 0; i < half.size(); ++i) EXPECT_EQ(half_groups[i], groups[i]);
  // A different seed gives a different assignment.
  CampaignConfig other = c;
  other.seed = 8;
  ASSERT_OK_AND_ASSIGN(auto other_groups, AssignGroups(other, ids));
  EXPECT_NE(other_groups, groups);
}

TEST(ResolveThreshold, RulesAndTopFractionGivesExactlyKOffers) {
  ASSERT_OK_AND_ASSIGN(auto c, Parse(std::string(kHeader) +
                                     "groups: [{name: t, fraction: 1, treatment: {type: model}}]\n"
                                     "threshold: {type: top_fraction, value: 0.25}\n"));
  std::vector<double> scores;
  for (int i = 0; i < 200; ++i) scores.push_back(std::sin(i * 1.3));
  ASSERT_OK_AND_ASSIGN(double th, ResolveThreshold(c, std::nullopt, scores));
  const auto offers = std::count_if(scores.begin(), scores.end(), [&](double s) { return s > th; });
  EXPECT_EQ(offers, 50);
  EXPECT_EQ(TreatmentFor(c, 0, th + 1e-9, th), "offer");
  EXPECT_EQ(TreatmentFor(c, 0, th, th), "no_offer");
  EXPECT_EQ(TreatmentFor(c, -1, 5, th), "no_offer");

  c.threshold = {ThresholdKind::kFromModel, 0, 1};
  EXPECT_FALSE(ResolveThreshold(c, std::nullopt, scores).ok());
  ASSERT_OK_AND_ASSIGN(double from_model, ResolveThreshold(c, 0.125, scores));
  EXPECT_EQ(from_model, 0.125);
  c.threshold = {ThresholdKind::kProfit, 1.5, 3.0};
  ASSERT_OK_AND_ASSIGN(double profit, ResolveThreshold(c, std::nullopt, scores));
  EXPECT_DOUBLE_EQ(profit, 0.5);
  c.threshold = {ThresholdKind::kTopFraction, 1.0, 1};
  ASSERT_OK_AND_ASSIGN(double all, ResolveThreshold(c, std::nullopt, scores));
  EXPECT_EQ(std::count_if(scores.begin(), scores.end(), [&](double s) { return s > all; }), 200);
}

}  // namespace
}  // namespace upcamp::campaign
