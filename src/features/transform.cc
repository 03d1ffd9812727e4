#include "features/transform.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <unordered_set>

namespace upcamp {

Result<std::unique_ptr<FittedTransform>> Transform::FitTransform(Table& train) const {
  UPCAMP_ASSIGN_OR_RETURN(auto fitted, Fit(train));
  UPCAMP_RETURN_IF_ERROR(fitted->Apply(train));
  return fitted;
}

Result<std::unique_ptr<FittedTransform>> Transform::Restore(const nlohmann::json& state,
                                                            int version) const {
  if (version > this->version()) {
    return Status::Data(
        "transform '{}': state version {} was written by a newer upcamp (this build reads version "
        "{}); score with that upcamp version or newer, or retrain the model",
        name(), version, this->version());
  }
  if (version < this->version()) {
    return Status::Data(
        "transform '{}': state version {} is no longer supported (this build reads version {}); "
        "retrain the model",
        name(), version, this->version());
  }
  auto restored = [&]() -> Result<std::unique_ptr<FittedTransform>> {
    try {
      return RestoreState(state);
    } catch (const nlohmann::json::exception& e) {
      return Status::Data("malformed state: {}", e.what());
    }
  }();
  if (!restored.ok()) return restored.status().WithPrefix(fmt::format("transform '{}'", name()));
  return restored;
}

nlohmann::json FittedTransform::ToJson() const {
  return {{"name", name()}, {"version", version()}, {"args", args()}, {"state", state()}};
}

Result<FittedTransforms> FitTransforms(const std::vector<std::unique_ptr<Transform>>& transforms,
                                       Table& train) {
  FittedTransforms out;
  out.reserve(transforms.size());
  for (size_t i = 0; i < transforms.size(); ++i) {
    auto fitted = transforms[i]->FitTransform(train);
    if (!fitted.ok()) {
      return fitted.status().WithPrefix(
          fmt::format("fitting transforms[{}] ({})", i, transforms[i]->name()));
    }
    out.push_back(std::move(fitted).value());
  }
  return out;
}

std::vector<std::string> RequiredColumns(const FittedTransforms& fitted) {
  std::vector<std::string> required;
  std::unordered_set<std::string> produced, listed;
  for (const auto& t : fitted) {
    for (auto& c : t->InputColumns()) {
      if (!produced.count(c) && listed.insert(c).second) required.push_back(std::move(c));
    }
    for (auto& c : t->OutputColumns()) produced.insert(std::move(c));
  }
  return required;
}

std::vector<std::string> ProducedColumns(const FittedTransforms& fitted) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const auto& t : fitted) {
    for (auto& c : t->OutputColumns()) {
      if (seen.insert(c).second) out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<std::string> MissingColumns(const FittedTransforms& fitted,
                                        const std::vector<std::string>& available) {
  const std::unordered_set<std::string> have(available.begin(), available.end());
  std::vector<std::string> missing;
  for (auto& c : RequiredColumns(fitted)) {
    if (!have.count(c)) missing.push_back(std::move(c));
  }
  return missing;
}

Status ApplyTransforms(const FittedTransforms& fitted, Table& table) {
  const auto missing = MissingColumns(fitted, table.ColumnNames());
  if (!missing.empty()) {
    return Status::Data("the table lacks column{} that the transforms need: {}",
                        missing.size() == 1 ? "" : "s", fmt::join(missing, ", "));
  }
  for (size_t i = 0; i < fitted.size(); ++i) {
    Status st = fitted[i]->Apply(table);
    if (!st.ok()) {
      return st.WithPrefix(fmt::format("applying transforms[{}] ({})", i, fitted[i]->name()));
    }
  }
  return Status::Ok();
}

}  // namespace upcamp
