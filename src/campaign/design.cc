#include "campaign/design.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/hash.h"
#include "features/expression.h"

namespace upcamp::campaign {

namespace {

std::vector<std::string> ClientIds(const Table& features) {
  const Column* id = features.FindColumn("client_id");
  std::vector<std::string> out(features.num_rows());
  for (size_t i = 0; i < out.size(); ++i) out[i] = id ? id->ValueToString(i) : std::string();
  return out;
}

}  // namespace

Result<Selection> SelectClients(const CampaignConfig& config, const Table& features) {
  Selection s;
  s.candidates = static_cast<int64_t>(features.num_rows());
  if (!features.FindColumn("client_id")) {
    return Status::Data("selection features have no client_id column");
  }
  std::vector<uint8_t> alive(features.num_rows(), 1);
  for (const auto& text : config.filters) {
    UPCAMP_ASSIGN_OR_RETURN(Expression expr, Expression::Parse(text));
    auto values = expr.Evaluate(features);
    if (!values.ok()) {
      return Status::Config("selection filter \"{}\": {} (the selection features give: {})", text,
                            values.status().message(), fmt::join(features.ColumnNames(), ", "));
    }
    FilterCount count{text, 0, 0};
    for (size_t i = 0; i < alive.size(); ++i) {
      if (!alive[i]) continue;
      const double v = (*values)[i];
      if (std::isnan(v)) {
        alive[i] = 0;
        ++count.removed_missing;
      } else if (v == 0) {
        alive[i] = 0;
        ++count.removed;
      }
    }
    s.filters.push_back(count);
  }
  std::vector<int64_t> rows;
  for (size_t i = 0; i < alive.size(); ++i) {
    if (alive[i]) rows.push_back(static_cast<int64_t>(i));
  }
  s.after_filters = static_cast<int64_t>(rows.size());
  const auto ids = ClientIds(features);
  if (config.sample_fraction) {
    std::vector<int64_t> kept;
    for (int64_t r : rows) {
      const double u = UnitInterval(KeyedHash(config.seed, "sample", ids[static_cast<size_t>(r)]));
      if (u < *config.sample_fraction) kept.push_back(r);
    }
    rows = std::move(kept);
  } else if (config.sample_size) {
    if (*config.sample_size > static_cast<int64_t>(rows.size())) {
      return Status::Data("selection.sample.size {} exceeds the {} clients left after the filters",
                          *config.sample_size, rows.size());
    }
    // The `size` clients with the smallest hashes, back in table order.
    std::vector<std::pair<uint64_t, int64_t>> keyed;
    keyed.reserve(rows.size());
    for (int64_t r : rows) {
      keyed.emplace_back(KeyedHash(config.seed, "sample", ids[static_cast<size_t>(r)]), r);
    }
    const auto k = static_cast<size_t>(*config.sample_size);
    std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(k), keyed.end(),
                     [&](const auto& a, const auto& b) {
                       return a.first != b.first ? a.first < b.first
                                                 : ids[static_cast<size_t>(a.second)] <
                                                       ids[static_cast<size_t>(b.second)];
                     });
    std::vector<int64_t> kept;
    for (size_t i = 0; i < k; ++i) kept.push_back(keyed[i].second);
    std::sort(kept.begin(), kept.end());
    rows = std::move(kept);
  }
  s.sampled_out = s.after_filters - static_cast<int64_t>(rows.size());
  s.rows = std::move(rows);
  if (s.rows.empty()) {
    std::string detail = fmt::format("{} candidates", s.candidates);
    for (const auto& f : s.filters) {
      detail += fmt::format("; \"{}\" removed {} (+{} with missing input)", f.filter, f.removed,
                            f.removed_missing);
    }
    return Status::Data("the selection is empty: {}; sample removed {}", detail, s.sampled_out);
  }
  return s;
}

Status CheckGroupSizesFit(const CampaignConfig& config, size_t selected) {
  if (config.groups.empty() || !config.groups.front().size.has_value()) return Status::Ok();
  int64_t total = 0;
  for (const auto& g : config.groups) total += *g.size;
  if (total <= static_cast<int64_t>(selected)) return Status::Ok();
  std::string sizes;
  for (const auto& g : config.groups) {
    sizes += fmt::format("{}{} {}", sizes.empty() ? "" : ", ", g.name, *g.size);
  }
  return Status::Data(
      "group sizes ({}) sum to {} but only {} clients were selected; lower the "
      "sizes or use fractions",
      sizes, total, selected);
}

Result<std::vector<int32_t>> AssignGroups(const CampaignConfig& config,
                                          std::span<const std::string> clients) {
  const size_t n = clients.size();
  std::vector<int32_t> group(n, -1);
  std::vector<uint64_t> hash(n);
  for (size_t i = 0; i < n; ++i) hash[i] = KeyedHash(config.seed, "split", clients[i]);
  const bool by_size = config.groups.front().size.has_value();
  if (by_size) {
    UPCAMP_RETURN_IF_ERROR(CheckGroupSizesFit(config, n));
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return hash[a] != hash[b] ? hash[a] < hash[b] : clients[a] < clients[b];
    });
    size_t next = 0;
    for (size_t g = 0; g < config.groups.size(); ++g) {
      for (int64_t k = 0; k < *config.groups[g].size; ++k) {
        group[order[next++]] = static_cast<int32_t>(g);
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const double u = UnitInterval(hash[i]);
      double upper = 0;
      for (size_t g = 0; g < config.groups.size(); ++g) {
        upper += *config.groups[g].fraction;
        if (u < upper) {
          group[i] = static_cast<int32_t>(g);
          break;
        }
      }
    }
  }
  return group;
}

Result<double> ResolveThreshold(const CampaignConfig& config,
                                std::optional<double> bundle_threshold,
                                std::span<const double> model_group_scores) {
  const ThresholdSpec& t = config.threshold;
  switch (t.kind) {
    case ThresholdKind::kFromModel:
      if (!bundle_threshold) {
        return Status::Config(
            "threshold: {{type: from_model}} but the model bundle {} has no "
            "suggested threshold; give {{type: score, value: ...}}",
            config.model_dir);
      }
      return *bundle_threshold;
    case ThresholdKind::kScore:
      return t.value;
    case ThresholdKind::kProfit:
      return t.value / t.profit_value;
    case ThresholdKind::kTopFraction: {
      if (model_group_scores.empty()) {
        return Status::Data("threshold top_fraction: no client is in a model-treated group");
      }
      std::vector<double> sorted(model_group_scores.begin(), model_group_scores.end());
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      const auto k =
          static_cast<size_t>(std::llround(t.value * static_cast<double>(sorted.size())));
      if (k >= sorted.size()) {
        // Everyone gets the offer: a threshold just below the lowest score.
        return std::nextafter(sorted.back(), -std::numeric_limits<double>::infinity());
      }
      return sorted[k];
    }
  }
  return Status::Runtime("unknown threshold kind");
}

std::string_view TreatmentFor(const CampaignConfig& config, int32_t group, double score,
                              double threshold) {
  if (group < 0) return kNoOffer;
  const GroupSpec& g = config.groups[static_cast<size_t>(group)];
  if (!g.model_treatment) return g.value;
  return score > threshold ? std::string_view(g.offer) : std::string_view(g.no_offer);
}

}  // namespace upcamp::campaign
