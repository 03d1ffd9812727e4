#include "models/row_order.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "core/hash.h"

namespace upcamp::models {

std::vector<int64_t> CanonicalRowOrder(const TrainingData& data) {
  const FeatureMatrix& x = *data.x;
  const auto n = static_cast<size_t>(x.rows());
  // Column by column, so the column-major matrix streams through memory.
  std::vector<uint64_t> hash(n, 0x5eed0fa11u);
  for (int j = 0; j < x.cols(); ++j) {
    const auto col = x.column(j);
    for (size_t i = 0; i < n; ++i) hash[i] = MixSeed(hash[i], std::bit_cast<uint64_t>(col[i]));
  }
  for (size_t i = 0; i < n; ++i) {
    hash[i] = MixSeed(hash[i], std::bit_cast<uint64_t>(data.outcome[i]));
  }

  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const auto ua = static_cast<size_t>(a), ub = static_cast<size_t>(b);
    if (hash[ua] != hash[ub]) return hash[ua] < hash[ub];
    if (data.treatment[ua] != data.treatment[ub]) return data.treatment[ua] < data.treatment[ub];
    const auto ya = std::bit_cast<uint64_t>(data.outcome[ua]);
    const auto yb = std::bit_cast<uint64_t>(data.outcome[ub]);
    if (ya != yb) return ya < yb;
    for (int j = 0; j < x.cols(); ++j) {
      const auto va = std::bit_cast<uint64_t>(x.at(a, j));
      const auto vb = std::bit_cast<uint64_t>(x.at(b, j));
      if (va != vb) return va < vb;
    }
    return false;  // identical rows: either order trains the same model
  });
  return order;
}

}  // namespace upcamp::models
