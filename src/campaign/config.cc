#include "campaign/config.h"

#include <filesystem>
#include <set>

#include "core/civil_time.h"
#include "features/expression.h"
#include "features/registry.h"

namespace upcamp::campaign {
namespace fs = std::filesystem;

namespace {

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

Status ParseSelection(const ConfigNode* node, CampaignConfig& c) {
  if (!node || node->IsNull()) return Status::Ok();  // every client, no filters
  UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"features", "filters", "sample"}));
  if (const ConfigNode* features = node->Find("features"); features && !features->IsNull()) {
    UPCAMP_ASSIGN_OR_RETURN(auto calcers, MakeCalcers(*features));
    for (const auto& calcer : calcers) {
      if (calcer->is_target()) {
        return features->Error("'{}' is a target calcer; selection features must be known "
                               "before the campaign",
                               calcer->name());
      }
      c.selection_features.push_back(CalcerToJson(*calcer));
    }
  }
  if (const ConfigNode* filters = node->Find("filters"); filters && !filters->IsNull()) {
    if (!filters->IsSequence()) return filters->Error("expected a list of filter expressions");
    for (const auto& item : filters->items()) {
      UPCAMP_ASSIGN_OR_RETURN(std::string text, item.AsString());
      auto parsed = Expression::Parse(text);
      if (!parsed.ok()) {
        return Status::Config("{}: {}", item.Location(), parsed.status().message());
      }
      c.filters.push_back(text);
    }
  }
  if (const ConfigNode* sample = node->Find("sample"); sample && !sample->IsNull()) {
    UPCAMP_RETURN_IF_ERROR(sample->CheckKeys({"fraction", "size"}));
    if (sample->Has("fraction") == sample->Has("size")) {
      return sample->Error("give exactly one of fraction (e.g. 0.5) or size (a client count)");
    }
    if (sample->Has("fraction")) {
      UPCAMP_ASSIGN_OR_RETURN(double f, sample->GetDouble("fraction"));
      if (!(f > 0 && f <= 1)) return sample->Error("fraction must be in (0, 1], got {}", f);
      c.sample_fraction = f;
    } else {
      UPCAMP_ASSIGN_OR_RETURN(int64_t n, sample->GetInt("size"));
      if (n <= 0) return sample->Error("size must be positive, got {}", n);
      c.sample_size = n;
    }
  }
  return Status::Ok();
}

Status ParseGroups(const ConfigNode& node, CampaignConfig& c) {
  if (!node.IsSequence() || node.items().empty()) {
    return node.Error("expected a non-empty list of groups {{name, size|fraction, treatment}}");
  }
  std::set<std::string> names;
  int with_size = 0, with_fraction = 0;
  double fraction_sum = 0;
  for (const auto& item : node.items()) {
    UPCAMP_RETURN_IF_ERROR(item.CheckKeys({"name", "size", "fraction", "treatment"}));
    GroupSpec g;
    UPCAMP_ASSIGN_OR_RETURN(g.name, item.GetString("name"));
    if (g.name.empty() || g.name == "unassigned") {
      return item.Error("group name '{}' is reserved or empty", g.name);
    }
    if (!names.insert(g.name).second) return item.Error("duplicate group name '{}'", g.name);
    if (item.Has("size") == item.Has("fraction")) {
      return item.Error("group '{}': give exactly one of size (count) or fraction", g.name);
    }
    if (item.Has("size")) {
      UPCAMP_ASSIGN_OR_RETURN(int64_t size, item.GetInt("size"));
      if (size < 0) return item.Error("group '{}': size must be >= 0", g.name);
      g.size = size;
      ++with_size;
    } else {
      UPCAMP_ASSIGN_OR_RETURN(double f, item.GetDouble("fraction"));
      if (!(f >= 0 && f <= 1)) return item.Error("group '{}': fraction must be in [0, 1]", g.name);
      g.fraction = f;
      fraction_sum += f;
      ++with_fraction;
    }
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* treatment, item.Get("treatment"));
    UPCAMP_RETURN_IF_ERROR(treatment->CheckKeys({"type", "value", "offer", "no_offer"}));
    UPCAMP_ASSIGN_OR_RETURN(std::string type, treatment->GetString("type"));
    if (type == "constant") {
      UPCAMP_RETURN_IF_ERROR(treatment->CheckKeys({"type", "value"}));
      UPCAMP_ASSIGN_OR_RETURN(g.value, treatment->GetString("value"));
      if (g.value.empty()) return treatment->Error("constant treatment needs a value");
    } else if (type == "model") {
      UPCAMP_RETURN_IF_ERROR(treatment->CheckKeys({"type", "offer", "no_offer"}));
      g.model_treatment = true;
      UPCAMP_ASSIGN_OR_RETURN(g.offer, treatment->GetString("offer", kOffer));
      UPCAMP_ASSIGN_OR_RETURN(g.no_offer, treatment->GetString("no_offer", kNoOffer));
    } else {
      return treatment->Error("unknown treatment type '{}' (constant, model)", type);
    }
    c.groups.push_back(std::move(g));
  }
  if (with_size > 0 && with_fraction > 0) {
    return node.Error("give every group a size or every group a fraction, not a mix");
  }
  if (fraction_sum > 1 + 1e-12) {
    return node.Error("group fractions sum to {} > 1", fraction_sum);
  }
  return Status::Ok();
}

Status ParseThreshold(const ConfigNode* node, CampaignConfig& c) {
  if (!node || node->IsNull()) return Status::Ok();
  UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"type", "value", "cost"}));
  UPCAMP_ASSIGN_OR_RETURN(std::string type, node->GetString("type"));
  ThresholdSpec& t = c.threshold;
  if (type == "from_model") {
    UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"type"}));
    t.kind = ThresholdKind::kFromModel;
  } else if (type == "score") {
    UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"type", "value"}));
    t.kind = ThresholdKind::kScore;
    UPCAMP_ASSIGN_OR_RETURN(t.value, node->GetDouble("value"));
  } else if (type == "top_fraction") {
    UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"type", "value"}));
    t.kind = ThresholdKind::kTopFraction;
    UPCAMP_ASSIGN_OR_RETURN(t.value, node->GetDouble("value"));
    if (!(t.value > 0 && t.value <= 1)) {
      return node->Error("top_fraction value must be in (0, 1], got {}", t.value);
    }
  } else if (type == "profit") {
    t.kind = ThresholdKind::kProfit;
    UPCAMP_ASSIGN_OR_RETURN(t.profit_value, node->GetDouble("value", 1.0));
    UPCAMP_ASSIGN_OR_RETURN(t.value, node->GetDouble("cost", 0.0));
    if (!(t.profit_value > 0)) return node->Error("profit value must be > 0");
  } else {
    return node->Error("unknown threshold type '{}' (from_model, score, top_fraction, profit)",
                       type);
  }
  return Status::Ok();
}

}  // namespace

Result<CampaignConfig> ParseCampaignConfig(const ConfigNode& root, const std::string& base_dir,
                                           const std::string& date_to_override) {
  if (!root.IsMap()) return root.Error("expected a campaign config mapping");
  UPCAMP_RETURN_IF_ERROR(root.CheckKeys({"name", "seed", "catalog", "model", "date_to",
                                         "selection", "groups", "threshold", "evaluation"}));
  CampaignConfig c;
  UPCAMP_ASSIGN_OR_RETURN(c.name, root.GetString("name"));
  UPCAMP_ASSIGN_OR_RETURN(int64_t seed, root.GetInt("seed"));
  c.seed = static_cast<uint64_t>(seed);
  UPCAMP_ASSIGN_OR_RETURN(std::string catalog, root.GetString("catalog"));
  c.catalog_path = ResolvePath(base_dir, catalog);
  UPCAMP_ASSIGN_OR_RETURN(std::string model, root.GetString("model"));
  c.model_dir = ResolvePath(base_dir, model);
  if (!date_to_override.empty()) {
    const auto parsed = ParseDate(date_to_override);
    if (!parsed) return Status::Usage("--date-to must be YYYY-MM-DD, got '{}'", date_to_override);
    c.date_to = *parsed;
    c.date_to_text = date_to_override;
  } else {
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* date_to, root.Get("date_to"));
    UPCAMP_ASSIGN_OR_RETURN(c.date_to, date_to->AsDate());
    UPCAMP_ASSIGN_OR_RETURN(c.date_to_text, date_to->AsString());
  }
  UPCAMP_RETURN_IF_ERROR(ParseSelection(root.Find("selection"), c));
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* groups, root.Get("groups"));
  UPCAMP_RETURN_IF_ERROR(ParseGroups(*groups, c));
  UPCAMP_RETURN_IF_ERROR(ParseThreshold(root.Find("threshold"), c));
  if (const ConfigNode* evaluation = root.Find("evaluation"); evaluation && !evaluation->IsNull()) {
    UPCAMP_RETURN_IF_ERROR(evaluation->CheckKeys({"target"}));
    UPCAMP_ASSIGN_OR_RETURN(c.evaluation_target, evaluation->GetString("target", ""));
    if (!c.evaluation_target.empty()) {
      auto parsed = Expression::Parse(c.evaluation_target);
      if (!parsed.ok()) {
        return Status::Config("{} (evaluation.target): {}", evaluation->Location(),
                              parsed.status().message());
      }
    }
  }
  return c;
}

Result<CampaignConfig> LoadCampaignConfig(const std::string& path,
                                          const std::string& date_to_override) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::LoadFile(path));
  std::string base = fs::path(path).parent_path().string();
  return ParseCampaignConfig(root, base.empty() ? "." : base, date_to_override);
}

nlohmann::json CampaignConfig::SelectionJson() const {
  nlohmann::json j = {{"features", selection_features},
                      {"filters", filters},
                      {"catalog", catalog_path},
                      {"date_to", date_to_text},
                      {"seed", seed}};
  if (sample_fraction) j["sample"] = {{"fraction", *sample_fraction}};
  if (sample_size) j["sample"] = {{"size", *sample_size}};
  return j;
}

nlohmann::json CampaignConfig::GroupsJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& g : groups) {
    nlohmann::json e = {{"name", g.name}};
    if (g.size) e["size"] = *g.size;
    if (g.fraction) e["fraction"] = *g.fraction;
    e["treatment"] = g.model_treatment
                         ? nlohmann::json{{"type", "model"}, {"offer", g.offer},
                                          {"no_offer", g.no_offer}}
                         : nlohmann::json{{"type", "constant"}, {"value", g.value}};
    j.push_back(e);
  }
  return j;
}

nlohmann::json CampaignConfig::ThresholdJson() const {
  switch (threshold.kind) {
    case ThresholdKind::kFromModel: return {{"type", "from_model"}};
    case ThresholdKind::kScore: return {{"type", "score"}, {"value", threshold.value}};
    case ThresholdKind::kTopFraction: return {{"type", "top_fraction"}, {"value", threshold.value}};
    case ThresholdKind::kProfit:
      return {{"type", "profit"}, {"value", threshold.profit_value}, {"cost", threshold.value}};
  }
  return {};
}

nlohmann::json CampaignConfig::ToJson() const {
  nlohmann::json j = {{"name", name},           {"seed", seed},
                      {"catalog", catalog_path}, {"model", model_dir},
                      {"date_to", date_to_text}, {"selection", SelectionJson()},
                      {"groups", GroupsJson()},  {"threshold", ThresholdJson()}};
  if (!evaluation_target.empty()) j["evaluation"] = {{"target", evaluation_target}};
  return j;
}

}  // namespace upcamp::campaign
