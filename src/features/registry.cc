#include "features/registry.h"

#include <fmt/ranges.h>

#include "features/calcers/calcers.h"

namespace upcamp {

const std::vector<CalcerInfo>& AllCalcers() {
  static const std::vector<CalcerInfo> kCalcers = {
      {"receipts_basic", "Receipt counts, sums and points over a window, per client",
       "delta (int, days, required)",
       "transaction_id_count, purchase_sum_{sum,max,min,mean}, regular_points_spent_{sum,max}, "
       "express_points_spent_{sum,max}, transaction_datetime_{min,max}, "
       "trn_sum_from_red_{sum,max,mean}, points_spent_flag_sum, express_points_spent_flag_sum, "
       "mean_time_interval, time_since_last; each suffixed __{delta}d",
       &calcers::MakeReceiptsBasic},
      {"age_gender", "Age and gender from the client profile", "(none)", "age, gender",
       &calcers::MakeAgeGender},
  };
  return kCalcers;
}

Result<std::unique_ptr<Calcer>> MakeCalcer(const ConfigNode& entry) {
  if (!entry.IsMap()) return entry.Error("expected {{name: ..., args: {{...}}}}");
  UPCAMP_RETURN_IF_ERROR(entry.CheckKeys({"name", "args"}));
  UPCAMP_ASSIGN_OR_RETURN(std::string name, entry.GetString("name"));
  for (const auto& info : AllCalcers()) {
    if (name != info.name) continue;
    const ConfigNode* args = entry.Find("args");
    static const ConfigNode kNoArgs = ConfigNode::Map({}, "<no args>");
    return info.make(args && !args->IsNull() ? *args : kNoArgs);
  }
  std::vector<std::string> names;
  for (const auto& info : AllCalcers()) names.emplace_back(info.name);
  return entry.Error("unknown calcer '{}' (known: {})", name, fmt::join(names, ", "));
}

Result<std::vector<std::unique_ptr<Calcer>>> MakeCalcers(const ConfigNode& list) {
  if (!list.IsSequence()) return list.Error("expected a list of calcers {{name, args}}");
  std::vector<std::unique_ptr<Calcer>> out;
  for (const auto& entry : list.items()) {
    UPCAMP_ASSIGN_OR_RETURN(auto calcer, MakeCalcer(entry));
    out.push_back(std::move(calcer));
  }
  return out;
}

nlohmann::json CalcerToJson(const Calcer& calcer) {
  return {{"name", calcer.name()}, {"args", calcer.args()}};
}

}  // namespace upcamp
