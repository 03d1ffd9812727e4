#pragma once
// A canonical order of training rows, so that a model trained on a permutation of the same rows
// is bit-for-bit the same model. Boosting sums gradients in row order (and subsampling draws by
// row position), so without this the order of a CSV would leak into the last bits of every
// prediction. Sorting rows by a hash of their content makes any input order train identically;
// rows that are equal in every value are interchangeable, so their relative order is moot.

#include <cstdint>
#include <vector>

#include "models/model.h"

namespace upcamp::models {

/// Row indices of `data` sorted by (hash of the feature values and outcome, treatment, then the
/// values themselves). The treatment is left out of the hash so that swapping the treatment
/// labels keeps the order of all rows with distinct features (which makes the sign-flip
/// invariance exact for the learners whose formulas are symmetric). Values are compared by
/// their bits (NaN payloads and -0.0 are kept apart), which is what a permutation preserves.
std::vector<int64_t> CanonicalRowOrder(const TrainingData& data);

}  // namespace upcamp::models
