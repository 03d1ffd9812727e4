#pragma once
// The campaign's report.html: built from the frozen run (freeze.json, result.csv) and, after
// `campaign evaluate`, from evaluation.json — plain numbers handed to src/report.

#include <string>

#include <nlohmann/json.hpp>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::campaign {

/// Writes `out_path` (atomically). `evaluation` is null before evaluation.
Status WriteCampaignReport(const nlohmann::json& freeze, const std::string& result_csv,
                           const nlohmann::json& evaluation, const std::string& out_path,
                           const Context& ctx);

}  // namespace upcamp::campaign
