#pragma once
// Factories of the built-in transforms (one .cc each in this folder), wired in
// features/transform_registry.cc.

#include <memory>

#include "core/config.h"
#include "core/status.h"
#include "features/transform.h"

namespace upcamp::transforms {

Result<std::unique_ptr<Transform>> MakeExpression(const ConfigNode& args);
Result<std::unique_ptr<Transform>> MakeDivideCols(const ConfigNode& args);
Result<std::unique_ptr<Transform>> MakeBinning(const ConfigNode& args);
Result<std::unique_ptr<Transform>> MakeOneHotEncode(const ConfigNode& args);
Result<std::unique_ptr<Transform>> MakeLooMeanTargetEncoder(const ConfigNode& args);

}  // namespace upcamp::transforms
