#pragma once
// Factories of the built-in calcers (one .cc each in this folder), wired in features/registry.cc.

#include <memory>

#include "core/config.h"
#include "core/status.h"
#include "features/calcer.h"

namespace upcamp::calcers {

Result<std::unique_ptr<Calcer>> MakeReceiptsBasic(const ConfigNode& args);
Result<std::unique_ptr<Calcer>> MakeAgeGender(const ConfigNode& args);

/// Reads the common `delta` argument: days, an integer in [1, 3650].
Result<int64_t> ReadDelta(const ConfigNode& args);

}  // namespace upcamp::calcers
