#pragma once
// Factories of the built-in calcers (one .cc each in this folder), wired in features/registry.cc.

#include <memory>

#include "core/config.h"
#include "core/status.h"
#include "features/calcer.h"

namespace upcamp::calcers {

Result<std::unique_ptr<Calcer>> MakeReceiptsBasic(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeAgeGender(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeUniqueCategories(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeDayOfWeekReceipts(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeFavouriteStore(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeTargetFromCampaigns(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeRfm(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakePoints(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeTimeOfDay(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeReceiptIntervals(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeStoreLoyalty(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeClientTenure(const ConfigNode& args);

/// Reads the common `delta` argument: days, an integer in [1, 3650].
Result<int64_t> ReadDelta(const ConfigNode& args);

}  // namespace upcamp::calcers
