#pragma once
// The retailer's world: regions, stores (with opening hours and popularity) and a product
// catalogue (level_1..level_4 hierarchy, segments, brands, vendors, prices, Zipf-like
// popularity). A pure function of (seed, number of stores, number of products), shared by the
// generator and `synth respond`.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "synth/ids.h"
#include "synth/params.h"

namespace upcamp::synth {

struct Store {
  uint32_t region;
  double popularity;  ///< relative weight among the stores of its region
  int open_hour;      ///< 0..23; a receipt's time of day is in [open_hour, close_hour)
  int close_hour;     ///< 1..24
};

struct Product {
  int32_t level4;       ///< index of the level_4 node, -1 = hierarchy unknown (all levels empty)
  int32_t segment;      ///< segment_id, -1 = missing
  int32_t brand;        ///< brand index, -1 = missing
  int32_t vendor;       ///< vendor index, -1 = missing
  int32_t netto_milli;  ///< netto in thousandths (kg or l), -1 = missing
  int64_t price_cents;  ///< shelf price of one unit (piece or kg), kopecks
  bool own_trademark;
  bool alcohol;
  bool weighted;           ///< sold by weight: product_quantity is kilograms, e.g. 0.734
  double typical_kg;       ///< weighted products: mean quantity per line
  double expected_amount;  ///< expected line amount in roubles (price x expected quantity)
};

/// Multiplier of the receipt rate on a calendar day (New Year's eve rush, 1 January lull,
/// 23 February, 8 March). Mean ~1 over a year; depends only on the month and day.
double HolidayFactor(int64_t day_index);

/// Quantity of one product line in thousandths: pieces x 1000 (1 mostly, sometimes 2..6), or
/// grams for weighted products (log-normal around the product's typical weight, >= 50 g).
int64_t SampleQuantityMilli(const Product& product, Rng& rng);
/// Expected number of pieces on a line of a piece product (the mean of SampleQuantityMilli/1000).
inline constexpr double kExpectedPieces = 0.85 * 1 + 0.11 * 2 + 0.04 * 4.5;

/// The population's weekday profile (Monday = 0), mean 1: more shopping on Friday and Saturday.
inline constexpr double kWeekdayProfile[7] = {0.93, 0.90, 0.93, 0.97, 1.10, 1.15, 1.02};

class World {
 public:
  /// Builds the world deterministically from the parameters' seed, stores and products.
  static World Make(const SynthParams& params);

  int num_regions() const { return static_cast<int>(region_cdf_.size()); }
  const std::vector<Store>& stores() const { return stores_; }
  const std::vector<Product>& products() const { return products_; }
  /// How strongly the past campaign's offer worked in a region (local promotion, competition):
  /// a multiplier around 1.
  double RegionEffect(uint32_t region) const { return region_effect_[region]; }

  uint32_t SampleRegion(Rng& rng) const;
  uint32_t SampleStoreInRegion(uint32_t region, Rng& rng) const;
  /// A product by global popularity (Zipf-like); O(1) (Walker's alias method, one uniform).
  uint32_t SampleProduct(Rng& rng) const {
    const double u = rng.Uniform() * static_cast<double>(alias_prob_.size());
    const auto i = std::min(static_cast<size_t>(u), alias_prob_.size() - 1);
    return u - static_cast<double>(i) < alias_prob_[i] ? static_cast<uint32_t>(i) : alias_[i];
  }
  /// Relative popularity weight of a product (the global sampling weight, unnormalized).
  double ProductWeight(uint32_t product) const { return product_weight_[product]; }
  /// Expected line amount (roubles) of a product drawn by SampleProduct.
  double global_expected_amount() const { return global_expected_amount_; }

  uint64_t StoreCode(uint32_t store) const { return store_codes_[store]; }
  uint64_t ProductCode(uint32_t product) const { return product_codes_[product]; }

  /// products.csv, header included.
  std::string ProductsCsv() const;

 private:
  explicit World(const SynthParams& params);
  void BuildAlias();

  std::vector<double> region_cdf_;
  std::vector<double> region_effect_;
  std::vector<Store> stores_;
  std::vector<std::vector<uint32_t>> region_stores_;
  std::vector<std::vector<double>> region_store_cdf_;

  // Hierarchy: parent of each node one level up.
  std::vector<int32_t> l2_parent_, l3_parent_, l4_parent_;
  std::vector<Product> products_;
  std::vector<double> product_weight_;
  std::vector<double> alias_prob_;  // Walker alias table over product_weight_
  std::vector<uint32_t> alias_;
  std::vector<uint64_t> store_codes_, product_codes_;  // ids, precomputed
  double global_expected_amount_ = 0;

  IdCodec store_ids_, product_ids_, level_ids_[4], brand_ids_, vendor_ids_;
};

}  // namespace upcamp::synth
