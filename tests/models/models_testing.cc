#include "models_testing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/random.h"

namespace upcamp::models::testing {

SimData SimData::Swapped() const {
  SimData d{x, t, y, true_uplift, kind};
  for (auto& v : d.t) v = static_cast<uint8_t>(1 - v);
  for (auto& u : d.true_uplift) u = -u;
  return d;
}

SimData SimData::Permuted(const std::vector<int64_t>& perm) const {
  SimData d;
  d.kind = kind;
  d.x = x.TakeRows(perm);
  for (int64_t r : perm) {
    const auto u = static_cast<size_t>(r);
    d.t.push_back(t[u]);
    d.y.push_back(y[u]);
    d.true_uplift.push_back(true_uplift[u]);
  }
  return d;
}

SimData Simulate(int64_t rows, OutcomeKind kind, uint64_t seed, double treated_share) {
  Rng rng(seed);
  SimData d;
  d.kind = kind;
  d.x = FeatureMatrix({"x0", "x1", "x2", "x3", "x4"}, rows);
  for (int j = 0; j < 5; ++j) {
    auto col = d.x.mutable_column(j);
    for (auto& v : col) v = rng.Uniform(-1, 1);
  }
  for (auto& v : d.x.mutable_column(4)) {
    if (rng.Bernoulli(0.05)) v = std::nan("");
  }
  for (int64_t i = 0; i < rows; ++i) {
    const double x0 = d.x.at(i, 0), x1 = d.x.at(i, 1), x2 = d.x.at(i, 2);
    const uint8_t t = rng.Bernoulli(treated_share) ? 1 : 0;
    double y = 0, uplift = 0;
    if (kind == OutcomeKind::kBinary) {
      const double p0 = 1 / (1 + std::exp(-(-0.5 + 0.8 * x1 - 0.5 * x2)));
      uplift = 0.15 * x0 + 0.03;
      y = rng.Bernoulli(t ? p0 + uplift : p0) ? 1 : 0;
    } else {
      uplift = x0 + 0.2;
      y = 1 + x1 + 0.5 * x2 + t * uplift + rng.Normal();
    }
    d.t.push_back(t);
    d.y.push_back(y);
    d.true_uplift.push_back(uplift);
  }
  return d;
}

ConfigNode SmallConfig(const std::string& type, const std::string& extra_params) {
  // Models that are not XGBoost meta-learners add a fast configuration here.
  static const std::vector<std::pair<std::string, std::string>> kOther = {
      {"uplift_forest", "{type: uplift_forest, params: {n_trees: 20, max_depth: 4}}"},
  };
  std::string text;
  for (const auto& [name, config] : kOther) {
    if (name == type) text = config;
  }
  if (text.empty()) {
    const bool meta = type.find("learner") != std::string::npos || type == "class_transformation" ||
                      type == "transformed_outcome";
    nlohmann::json config = {{"type", type}};
    if (meta) {
      nlohmann::json params = {
          {"num_rounds", 40}, {"max_depth", 3}, {"eta", 0.15}, {"min_child_weight", 5}};
      auto extra = ConfigNode::Parse("{" + extra_params + "}", "extra-params");
      EXPECT_TRUE(extra.ok()) << extra.status().ToString();
      if (extra.ok()) params.update(extra->ToJson());  // extra keys override the defaults
      config["base"] = {{"type", "xgboost"}, {"params", params}};
    }
    text = config.dump();
  }
  auto node = ConfigNode::Parse(text, "test-config");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? std::move(node).value() : ConfigNode();
}

double Correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace upcamp::models::testing
