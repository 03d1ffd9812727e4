#include "synth/world.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/hash.h"

namespace upcamp::synth {
namespace {

constexpr int kLevel1 = 4;
constexpr int kLevel2 = 44;
constexpr int kLevel3 = 200;
constexpr int kLevel4 = 790;
constexpr int kSegments = 120;

uint64_t Key(uint64_t seed, std::string_view purpose) {
  return MixSeed(seed, Hash64(purpose, 0x73796e7468ULL));
}

// Index drawn from a cumulative weight table.
uint32_t SampleCdf(const std::vector<double>& cdf, Rng& rng) {
  const double u = rng.Uniform() * cdf.back();
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  return static_cast<uint32_t>(std::min<size_t>(it - cdf.begin(), cdf.size() - 1));
}

std::vector<double> Cumulative(const std::vector<double>& w) {
  std::vector<double> cdf(w.size());
  double acc = 0;
  for (size_t i = 0; i < w.size(); ++i) cdf[i] = acc += w[i];
  return cdf;
}

// Appends a fixed-point decimal of `milli` thousandths with trailing zeros trimmed, at least one
// decimal ("0.5", "1.0", "0.333").
void AppendMilli(std::string& out, int64_t milli) {
  out += std::to_string(milli / 1000);
  int64_t frac = milli % 1000;
  out += '.';
  if (frac == 0) {
    out += '0';
    return;
  }
  char buf[3] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                 static_cast<char>('0' + frac % 10)};
  int n = 3;
  while (n > 1 && buf[n - 1] == '0') --n;
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace

double HolidayFactor(int64_t day_index) {
  const CivilDate d = CivilFromDays(day_index);
  if (d.month == 12 && d.day >= 29) return d.day == 31 ? 1.9 : 1.5;
  if (d.month == 1 && d.day == 1) return 0.3;
  if (d.month == 1 && d.day <= 7) return 0.8;
  if (d.month == 2 && d.day == 22) return 1.25;
  if (d.month == 3 && (d.day == 6 || d.day == 7)) return 1.35;
  if (d.month == 3 && d.day == 8) return 0.75;
  return 1.0;
}

int64_t SampleQuantityMilli(const Product& product, Rng& rng) {
  if (product.weighted) {
    // Log-normal with mean typical_kg: exp(N(-s^2/2, s)) has mean 1.
    const double kg = product.typical_kg * rng.LogNormal(-0.125, 0.5);
    return std::max<int64_t>(50, std::llround(kg * 1000.0));
  }
  const double u = rng.Uniform();
  if (u < 0.85) return 1000;
  if (u < 0.96) return 2000;
  return 1000 * (3 + static_cast<int64_t>(rng.UniformInt(4)));
}

World World::Make(const SynthParams& params) {
  return World(params);
}

World::World(const SynthParams& params)
    : store_ids_(Key(params.seed, "id/store"), 40),
      product_ids_(Key(params.seed, "id/product"), 40),
      level_ids_{
          IdCodec(Key(params.seed, "id/level_1"), 40), IdCodec(Key(params.seed, "id/level_2"), 40),
          IdCodec(Key(params.seed, "id/level_3"), 40), IdCodec(Key(params.seed, "id/level_4"), 40)},
      brand_ids_(Key(params.seed, "id/brand"), 40),
      vendor_ids_(Key(params.seed, "id/vendor"), 40) {
  Rng rng(Key(params.seed, "world"));

  // Regions: roughly 35 stores each, population weights log-normal.
  const int n_regions = std::clamp(params.stores / 35, 1, 30);
  std::vector<double> region_w(static_cast<size_t>(n_regions));
  for (auto& w : region_w) w = rng.LogNormal(0.0, 0.6);
  region_cdf_ = Cumulative(region_w);
  region_effect_.resize(region_w.size());
  for (auto& e : region_effect_) e = std::clamp(rng.LogNormal(0.0, 0.35), 0.4, 2.0);

  // Stores: the first n_regions stores seed one per region, the rest follow the population.
  stores_.resize(static_cast<size_t>(params.stores));
  region_stores_.assign(region_w.size(), {});
  for (size_t i = 0; i < stores_.size(); ++i) {
    Store& s = stores_[i];
    s.region = i < region_w.size() ? static_cast<uint32_t>(i) : SampleCdf(region_cdf_, rng);
    s.popularity = rng.LogNormal(0.0, 0.8);
    const double u = rng.Uniform();
    if (u < 0.08) {  // round the clock
      s.open_hour = 0;
      s.close_hour = 24;
    } else if (u < 0.15) {  // small-town hours
      s.open_hour = 9;
      s.close_hour = 21;
    } else {
      s.open_hour = 7 + static_cast<int>(rng.UniformInt(3));
      s.close_hour = 22 + static_cast<int>(rng.UniformInt(2));
    }
    region_stores_[s.region].push_back(static_cast<uint32_t>(i));
  }
  region_store_cdf_.resize(region_w.size());
  for (size_t r = 0; r < region_w.size(); ++r) {
    std::vector<double> w;
    for (uint32_t s : region_stores_[r]) w.push_back(stores_[s].popularity);
    region_store_cdf_[r] = Cumulative(w);
  }

  // Hierarchy. Level_1 sizes are very unequal, as in real assortments.
  const std::vector<double> l1_w = {0.45, 0.30, 0.20, 0.05};
  const auto l1_cdf = Cumulative(l1_w);
  l2_parent_.resize(kLevel2);
  for (int i = 0; i < kLevel2; ++i) {
    l2_parent_[i] = i < kLevel1 ? i : static_cast<int32_t>(SampleCdf(l1_cdf, rng));
  }
  l3_parent_.resize(kLevel3);
  for (int i = 0; i < kLevel3; ++i) {
    l3_parent_[i] = i < kLevel2 ? i : static_cast<int32_t>(rng.UniformInt(kLevel2));
  }
  l4_parent_.resize(kLevel4);
  for (int i = 0; i < kLevel4; ++i) {
    l4_parent_[i] = i < kLevel3 ? i : static_cast<int32_t>(rng.UniformInt(kLevel3));
  }
  // Level_2 kinds: a few alcohol departments (under level_1 #1), fresh produce sold by weight.
  std::vector<uint8_t> l2_alcohol(kLevel2, 0), l2_weighted(kLevel2, 0);
  int n_alcohol = 0, n_weighted = 0;
  for (int i = 0; i < kLevel2; ++i) {
    if (l2_parent_[i] == 1 && n_alcohol < 3) {
      l2_alcohol[i] = 1;
      ++n_alcohol;
    } else if (l2_parent_[i] == 0 && n_weighted < 8) {
      l2_weighted[i] = 1;
      ++n_weighted;
    }
  }
  // Level_3 categories: base price and typical pack size.
  std::vector<double> l3_price(kLevel3), l3_netto(kLevel3);
  for (int i = 0; i < kLevel3; ++i) {
    const int l2 = l3_parent_[i];
    l3_price[i] = rng.LogNormal(std::log(l2_alcohol[l2] ? 300.0 : 58.0), 0.6);
    l3_netto[i] = l2_weighted[l2] ? 1.0 : rng.LogNormal(std::log(0.45), 0.7);
  }
  std::vector<double> l4_w(kLevel4);
  for (auto& w : l4_w) w = rng.LogNormal(0.0, 1.0);
  const auto l4_cdf = Cumulative(l4_w);
  std::vector<int32_t> l4_segment(kLevel4);
  for (int i = 0; i < kLevel4; ++i) {
    l4_segment[i] = 1 + static_cast<int32_t>(rng.UniformInt(kSegments));
  }

  const int n_brands = std::max(10, params.products / 8);
  const int n_vendors = std::max(5, params.products / 10);
  std::vector<int32_t> brand_vendor(static_cast<size_t>(n_brands));
  for (auto& v : brand_vendor) v = static_cast<int32_t>(rng.UniformInt(n_vendors));
  std::vector<double> brand_w(static_cast<size_t>(n_brands));
  for (auto& w : brand_w) w = rng.LogNormal(0.0, 1.2);
  const auto brand_cdf = Cumulative(brand_w);

  products_.resize(static_cast<size_t>(params.products));
  for (auto& p : products_) {
    const int32_t l4 = static_cast<int32_t>(SampleCdf(l4_cdf, rng));
    const int32_t l3 = l4_parent_[l4];
    const int32_t l2 = l3_parent_[l3];
    p.level4 = rng.Bernoulli(0.002) ? -1 : l4;
    p.segment = rng.Bernoulli(0.025) ? -1 : l4_segment[l4];
    p.own_trademark = rng.Bernoulli(0.08);
    const bool no_brand = rng.Bernoulli(p.own_trademark ? 0.0 : 0.15);
    const int32_t brand = static_cast<int32_t>(SampleCdf(brand_cdf, rng));
    p.brand = no_brand ? -1 : brand;
    p.vendor = rng.Bernoulli(0.005) ? -1 : brand_vendor[brand];
    p.alcohol = l2_alcohol[l2] != 0;
    p.weighted = l2_weighted[l2] != 0;
    const double netto = p.weighted ? 1.0 : l3_netto[l3] * rng.LogNormal(0.0, 0.3);
    p.netto_milli =
        rng.Bernoulli(0.01) ? -1 : std::max<int32_t>(10, static_cast<int32_t>(netto * 100) * 10);
    p.typical_kg = p.weighted ? std::clamp(rng.LogNormal(std::log(0.6), 0.4), 0.15, 3.0) : 0.0;
    double rub = l3_price[l3] * rng.LogNormal(0.0, 0.4) * (p.own_trademark ? 0.75 : 1.0);
    rub = std::clamp(rub, 9.0, 20000.0);
    // Shelf prices end in .99, .00, .50 or .90.
    const double u = rng.Uniform();
    int64_t rubles = std::llround(rub);
    int64_t cents = 0;
    if (u < 0.45) {
      rubles -= 1;
      cents = 99;
    } else if (u < 0.55) {
      cents = 50;
    } else if (u < 0.65) {
      rubles -= 1;
      cents = 90;
    }
    p.price_cents = std::max<int64_t>(100, rubles * 100 + cents);
    const double qty = p.weighted ? p.typical_kg : kExpectedPieces;
    p.expected_amount = static_cast<double>(p.price_cents) / 100.0 * qty;
  }

  // Zipf-like popularity over a random order of the products.
  std::vector<uint32_t> order(products_.size());
  std::iota(order.begin(), order.end(), 0u);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.UniformInt(i)]);
  product_weight_.resize(products_.size());
  for (size_t rank = 0; rank < order.size(); ++rank) {
    product_weight_[order[rank]] = std::pow(static_cast<double>(rank) + 8.0, -1.05);
  }
  BuildAlias();
  double total = 0, amount = 0;
  for (size_t i = 0; i < products_.size(); ++i) {
    total += product_weight_[i];
    amount += product_weight_[i] * products_[i].expected_amount;
  }
  global_expected_amount_ = amount / total;

  store_codes_.resize(stores_.size());
  for (size_t i = 0; i < stores_.size(); ++i) store_codes_[i] = store_ids_.Encode(i);
  product_codes_.resize(products_.size());
  for (size_t i = 0; i < products_.size(); ++i) product_codes_[i] = product_ids_.Encode(i);
}

uint32_t World::SampleRegion(Rng& rng) const {
  return SampleCdf(region_cdf_, rng);
}

uint32_t World::SampleStoreInRegion(uint32_t region, Rng& rng) const {
  return region_stores_[region][SampleCdf(region_store_cdf_[region], rng)];
}

void World::BuildAlias() {
  // Vose's construction: scale the weights to mean 1, then top up each column below 1 with the
  // mass of a column above 1.
  const size_t n = product_weight_.size();
  double total = 0;
  for (double w : product_weight_) total += w;
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = product_weight_[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  alias_prob_.assign(n, 1.0);  // columns left over (rounding) keep all their mass
  alias_.resize(n);
  for (size_t i = 0; i < n; ++i) alias_[i] = static_cast<uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const uint32_t lo = small.back(), hi = large.back();
    small.pop_back();
    alias_prob_[lo] = scaled[lo];
    alias_[lo] = hi;
    scaled[hi] -= 1.0 - scaled[lo];
    if (scaled[hi] < 1.0) {
      large.pop_back();
      small.push_back(hi);
    }
  }
}

std::string World::ProductsCsv() const {
  std::string out =
      "product_id,level_1,level_2,level_3,level_4,segment_id,brand_id,vendor_id,netto,"
      "is_own_trademark,is_alcohol\n";
  out.reserve(products_.size() * 110 + out.size());
  char hex[16];
  const auto id = [&](const IdCodec& codec, uint64_t index) {
    out.append(hex, static_cast<size_t>(AppendHex(codec.Encode(index), 10, hex) - hex));
  };
  for (size_t i = 0; i < products_.size(); ++i) {
    const Product& p = products_[i];
    id(product_ids_, i);
    out += ',';
    if (p.level4 >= 0) {
      const int32_t l3 = l4_parent_[p.level4], l2 = l3_parent_[l3], l1 = l2_parent_[l2];
      id(level_ids_[0], static_cast<uint64_t>(l1));
      out += ',';
      id(level_ids_[1], static_cast<uint64_t>(l2));
      out += ',';
      id(level_ids_[2], static_cast<uint64_t>(l3));
      out += ',';
      id(level_ids_[3], static_cast<uint64_t>(p.level4));
      out += ',';
    } else {
      out += ",,,,";
    }
    if (p.segment >= 0) out += std::to_string(p.segment);
    out += ',';
    if (p.brand >= 0) id(brand_ids_, static_cast<uint64_t>(p.brand));
    out += ',';
    if (p.vendor >= 0) id(vendor_ids_, static_cast<uint64_t>(p.vendor));
    out += ',';
    if (p.netto_milli >= 0) AppendMilli(out, p.netto_milli);
    out += p.own_trademark ? ",1" : ",0";
    out += p.alcohol ? ",1\n" : ",0\n";
  }
  return out;
}

}  // namespace upcamp::synth
