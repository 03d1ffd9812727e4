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
      {"unique_categories",
       "Distinct product categories bought over a window (purchases joined with products)",
       "delta (int, days, required); col_category (a products column: level_1..level_4, "
       "segment_id, brand_id, vendor_id, ...; default level_3)",
       "unique_{col_category}__{delta}d (int64; missing categories do not count)",
       &calcers::MakeUniqueCategories},
      {"day_of_week_receipts", "Receipts per weekday over a window (Monday = 0)",
       "delta (int, days, required)",
       "purchases_count_dw{0..6}__{delta}d (int64; 0 for a weekday without receipts)",
       &calcers::MakeDayOfWeekReceipts},
      {"favourite_store",
       "The store with the most receipts over a window (ties: the larger store id)",
       "delta (int, days, required)",
       "favourite_store_id__{delta}d (string; ids compare as integers when all tied ids are "
       "integers, else as text)",
       &calcers::MakeFavouriteStore},
      {"target_from_campaigns",
       "Treatment flag and outcomes of the campaign treated on date_to (a target calcer)",
       "date_to (date YYYY-MM-DD, required: the campaign's treatment_date)",
       "treatment_flg (int64), target_purchases_sum, target_purchases_count, "
       "target_campaign_points_spent (float64)",
       &calcers::MakeTargetFromCampaigns},
      {"rfm", "Recency, frequency and monetary value of the receipts over a window",
       "delta (int, days, required)",
       "recency_days (days from the last receipt to date_to), frequency (receipts, int64), "
       "monetary (purchase_sum total), average_receipt (mean purchase_sum), active_days "
       "(distinct days with a receipt, int64); each suffixed __{delta}d",
       &calcers::MakeRfm},
      {"points", "Loyalty points received and spent over a window, and how they are spent",
       "delta (int, days, required)",
       "points_{regular,express}_received_sum, points_{regular,express}_spent_sum (<= 0), "
       "points_{regular,express}_spent_receipts_share (share of receipts spending them), "
       "points_express_share_of_spent (express / all points spent; missing if none); each "
       "suffixed __{delta}d",
       &calcers::MakePoints},
      {"time_of_day", "Shares of receipts by time of day and on weekends over a window",
       "delta (int, days, required)",
       "receipts_share_{night,morning,afternoon,evening} (hours [0,6), [6,12), [12,18), "
       "[18,24)), receipts_share_weekend (Saturday, Sunday); each suffixed __{delta}d",
       &calcers::MakeTimeOfDay},
      {"receipt_intervals", "Gaps in days between consecutive receipts over a window",
       "delta (int, days, required)",
       "receipt_interval_{mean,median,last,max} (2+ receipts), receipt_interval_std (sample "
       "std, 3+ receipts); each suffixed __{delta}d",
       &calcers::MakeReceiptIntervals},
      {"store_loyalty", "Distinct stores and the favourite store's share of receipts",
       "delta (int, days, required)",
       "distinct_stores (int64), favourite_store_share (of receipts with a store_id); each "
       "suffixed __{delta}d",
       &calcers::MakeStoreLoyalty},
      {"client_tenure", "Days in the loyalty programme as of date_to, from the profile", "(none)",
       "days_since_first_issue, days_since_first_redeem (float days; missing when the date is "
       "missing or not before date_to), has_redeemed (int64 0/1 as of date_to)",
       &calcers::MakeClientTenure},
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
