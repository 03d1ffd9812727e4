#include "models/forest/tree.h"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>

#include "core/hash.h"
#include "core/random.h"

namespace upcamp::models::forest {
namespace {

// Per-node sums, laid out like a histogram bin: [control n, control s, treated n, treated s]
// for the split-choosing rows, then the same for the filling rows when honest. A row's "slot"
// is 2 * treated + 4 * is_filling_row, pointing at its n; its weighted outcome goes to slot + 1.
constexpr int kMaxStride = 8;
using Sums = std::array<double, kMaxStride>;

// Purposes of the seeds derived from a tree's seed.
constexpr uint64_t kBootstrapPurpose = 1;
constexpr uint64_t kHonestPurpose = 2;
constexpr uint64_t kFeaturePurpose = 3;

inline bool IsFillingRowFromHalfSeed(uint64_t honest_seed, uint32_t rank) {
  return (MixSeed(honest_seed, rank) >> 63) != 0;
}

class Builder {
 public:
  Builder(const BinnedData& data, const TreeParams& params, uint64_t seed, TreeScratch& scratch)
      : d_(data), p_(params), seed_(seed), s_(scratch), stride_(params.honest ? 8 : 4) {}

  UpliftTree Run() {
    MakeSamples();
    Sums root{};
    for (size_t i = 0; i < s_.sample_row.size(); ++i) {
      root[s_.sample_slot[i]] += s_.sample_w[i];
      root[s_.sample_slot[i] + 1u] += s_.sample_wy[i];
    }
    tree_.nodes.emplace_back();
    InitNode(0, root, -1);
    Grow(0, 0, s_.sample_row.size(), 0, root);
    return std::move(tree_);
  }

 private:
  NodeSums Structure(const Sums& s) const { return {{s[2], s[3]}, {s[0], s[1]}}; }
  NodeSums Fill(const Sums& s) const {
    return p_.honest ? NodeSums{{s[6], s[7]}, {s[4], s[5]}} : Structure(s);
  }

  void MakeSamples() {
    const auto rows = static_cast<size_t>(d_.rows);
    std::vector<uint32_t>& draws = s_.draws;
    if (p_.bootstrap) {
      // The classic bootstrap: `rows` draws with replacement, of canonical ranks (so which
      // rows are drawn does not depend on the input order).
      draws.assign(rows, 0);
      Rng rng(MixSeed(seed_, kBootstrapPurpose));
      for (size_t k = 0; k < rows; ++k) ++draws[rng.UniformInt(rows)];
    }
    const uint64_t honest_seed = MixSeed(seed_, kHonestPurpose);
    s_.sample_row.clear();
    s_.sample_slot.clear();
    s_.sample_w.clear();
    s_.sample_wy.clear();
    const bool in_rank_order = !d_.by_rank.empty();
    for (size_t k = 0; k < rows; ++k) {
      const size_t r = in_rank_order ? d_.by_rank[k] : k;
      const uint32_t rank = d_.canonical[r];
      const uint32_t w = p_.bootstrap ? draws[rank] : 1;
      if (w == 0) continue;
      // A drawn row belongs wholly to one half (all its copies), keyed by its rank.
      const bool filling = p_.honest && IsFillingRowFromHalfSeed(honest_seed, rank);
      s_.sample_row.push_back(static_cast<uint32_t>(r));
      s_.sample_slot.push_back(static_cast<uint8_t>(2 * d_.treatment[r] + (filling ? 4 : 0)));
      s_.sample_w.push_back(w);
      s_.sample_wy.push_back(w * d_.outcome[r]);
    }
  }

  // Fills a new node's statistics from its sums; `parent` < 0 for the root.
  void InitNode(size_t id, const Sums& sums, int32_t parent) {
    const NodeSums st = Structure(sums);
    const NodeSums fill = Fill(sums);
    double pt, pc;
    if (parent < 0) {
      pt = st.treated.n > 0 ? st.treated.s / st.treated.n : 0.0;
      pc = st.control.n > 0 ? st.control.s / st.control.n : 0.0;
    } else {
      pt = ShrunkMean(st.treated, node_pt_[static_cast<size_t>(parent)], p_.n_reg);
      pc = ShrunkMean(st.control, node_pc_[static_cast<size_t>(parent)], p_.n_reg);
    }
    if (node_pt_.size() <= id) {
      node_pt_.resize(id + 1);
      node_pc_.resize(id + 1);
    }
    node_pt_[id] = pt;
    node_pc_[id] = pc;
    TreeNode& node = tree_.nodes[id];
    node.weight = st.n();
    node.n_treated = fill.treated.n;
    node.n_control = fill.control.n;
    const TreeNode* up = parent < 0 ? nullptr : &tree_.nodes[static_cast<size_t>(parent)];
    node.mean_treated =
        fill.treated.n > 0 ? fill.treated.s / fill.treated.n : (up ? up->mean_treated : 0.0);
    node.mean_control =
        fill.control.n > 0 ? fill.control.s / fill.control.n : (up ? up->mean_control : 0.0);
  }

  bool Admissible(const Sums& s) const {
    const double msl = p_.min_samples_leaf, mst = p_.min_samples_treatment;
    if (s[0] + s[2] < msl || s[0] < mst || s[2] < mst) return false;
    if (p_.honest && (s[4] + s[6] < msl || s[4] < mst || s[6] < mst)) return false;
    return true;
  }

  bool CanSplit(const Sums& s) const {
    Sums half{};
    for (int k = 0; k < kMaxStride; ++k)
      half[static_cast<size_t>(k)] = s[static_cast<size_t>(k)] / 2;
    return Admissible(half);
  }

  void SampleFeatures(size_t id, std::vector<int>& out) {
    const int cols = d_.cols;
    const int k = std::min(p_.max_features, cols);
    std::vector<int>& pool = s_.feature_pool;
    pool.resize(static_cast<size_t>(cols));
    std::iota(pool.begin(), pool.end(), 0);
    if (k < cols) {
      Rng rng(MixSeed(MixSeed(seed_, kFeaturePurpose), id));
      for (int j = 0; j < k; ++j) {
        const auto r = static_cast<size_t>(j) + rng.UniformInt(static_cast<uint64_t>(cols - j));
        std::swap(pool[static_cast<size_t>(j)], pool[r]);
      }
    }
    out.assign(pool.begin(), pool.begin() + k);
    std::sort(out.begin(), out.end());  // ties between features go to the lowest index
  }

  struct Best {
    double gain = 0;
    int feature = -1;
    int bin = 0;
    bool missing_left = false;
    bool has_missing = false;
    Sums left{}, right{};
  };

  void BuildHistogram(int f, size_t begin, size_t end, int num_bins) {
    std::vector<double>& hist = s_.hist;
    hist.resize(256 * static_cast<size_t>(stride_));
    std::fill(hist.begin(), hist.begin() + num_bins * stride_, 0.0);
    std::fill(hist.begin() + kMissingCode * stride_, hist.end(), 0.0);
    const uint8_t* col = d_.column(f);
    const uint32_t* row = s_.sample_row.data();
    const uint8_t* slot = s_.sample_slot.data();
    const double* w = s_.sample_w.data();
    const double* wy = s_.sample_wy.data();
    double* h = hist.data();
    const auto stride = static_cast<size_t>(stride_);
    for (size_t i = begin; i < end; ++i) {
      double* bin = h + col[row[i]] * stride + slot[i];
      bin[0] += w[i];
      bin[1] += wy[i];
    }
  }

  void ScanFeature(int f, int num_bins, size_t id, const Sums& total, Best& best) const {
    const double* h = s_.hist.data();
    const auto stride = static_cast<size_t>(stride_);
    Sums miss{};
    for (size_t k = 0; k < stride; ++k) miss[k] = h[kMissingCode * stride + k];
    const bool has_missing = miss[0] + miss[2] + miss[4] + miss[6] > 0;
    const double pt = node_pt_[id], pc = node_pc_[id];
    const bool binary = d_.binary;
    Sums left{};
    for (int b = 0; b < num_bins; ++b) {
      const double* hb = h + static_cast<size_t>(b) * stride;
      bool empty = true;
      for (size_t k = 0; k < stride; k += 2) empty = empty && hb[k] == 0;
      if (empty) continue;  // same partition as the previous bin (or an empty left side)
      for (size_t k = 0; k < stride; ++k) left[k] += hb[k];
      for (int dir = 0; dir < (has_missing ? 2 : 1); ++dir) {
        Sums l = left, r{};
        if (dir == 1) {
          for (size_t k = 0; k < stride; ++k) l[k] += miss[k];
        }
        for (size_t k = 0; k < stride; ++k) r[k] = total[k] - l[k];
        if (!Admissible(l) || !Admissible(r)) continue;
        const double gain = SplitGain(p_.criterion, binary, p_.normalization, p_.n_reg, pt, pc,
                                      Structure(l), Structure(r));
        if (gain > best.gain) {
          best.gain = gain;
          best.feature = f;
          best.bin = b;
          best.missing_left = dir == 1;
          best.has_missing = has_missing;
          best.left = l;
          best.right = r;
        }
      }
    }
  }

  // Stable partition of samples [begin, end) by the split; returns the first right sample.
  size_t Partition(size_t begin, size_t end, int f, int bin, bool missing_left) {
    const uint8_t* col = d_.column(f);
    auto& row = s_.sample_row;
    auto& slot = s_.sample_slot;
    auto& w = s_.sample_w;
    auto& wy = s_.sample_wy;
    s_.tmp_row.clear();
    s_.tmp_slot.clear();
    s_.tmp_w.clear();
    s_.tmp_wy.clear();
    size_t out = begin;
    for (size_t i = begin; i < end; ++i) {
      const uint8_t code = col[row[i]];
      const bool go_left = code == kMissingCode ? missing_left : code <= bin;
      if (go_left) {
        row[out] = row[i];
        slot[out] = slot[i];
        w[out] = w[i];
        wy[out] = wy[i];
        ++out;
      } else {
        s_.tmp_row.push_back(row[i]);
        s_.tmp_slot.push_back(slot[i]);
        s_.tmp_w.push_back(w[i]);
        s_.tmp_wy.push_back(wy[i]);
      }
    }
    std::copy(s_.tmp_row.begin(), s_.tmp_row.end(), row.begin() + static_cast<ptrdiff_t>(out));
    std::copy(s_.tmp_slot.begin(), s_.tmp_slot.end(), slot.begin() + static_cast<ptrdiff_t>(out));
    std::copy(s_.tmp_w.begin(), s_.tmp_w.end(), w.begin() + static_cast<ptrdiff_t>(out));
    std::copy(s_.tmp_wy.begin(), s_.tmp_wy.end(), wy.begin() + static_cast<ptrdiff_t>(out));
    return out;
  }

  void Grow(size_t id, size_t begin, size_t end, int depth, const Sums& sums) {
    if (depth >= p_.max_depth || !CanSplit(sums)) return;
    std::vector<int> features;
    SampleFeatures(id, features);
    Best best;
    for (int f : features) {
      const int num_bins = d_.bins[static_cast<size_t>(f)].num_bins();
      if (num_bins == 0) continue;  // all missing
      BuildHistogram(f, begin, end, num_bins);
      ScanFeature(f, num_bins, id, sums, best);
    }
    if (best.feature < 0) return;

    const FeatureBins& fb = d_.bins[static_cast<size_t>(best.feature)];
    const bool missing_left = best.has_missing
                                  ? best.missing_left
                                  : Structure(best.left).n() >= Structure(best.right).n();
    const size_t mid = Partition(begin, end, best.feature, best.bin, best.missing_left);
    const auto left_id = tree_.nodes.size();
    tree_.nodes.emplace_back();
    tree_.nodes.emplace_back();
    {
      TreeNode& node = tree_.nodes[id];
      node.feature = best.feature;
      node.threshold = static_cast<size_t>(best.bin) < fb.cuts.size()
                           ? fb.cuts[static_cast<size_t>(best.bin)]
                           : std::numeric_limits<double>::infinity();
      node.missing_left = missing_left;
      node.gain = best.gain;
      node.left = static_cast<int32_t>(left_id);
      node.right = static_cast<int32_t>(left_id + 1);
    }
    InitNode(left_id, best.left, static_cast<int32_t>(id));
    InitNode(left_id + 1, best.right, static_cast<int32_t>(id));
    Grow(left_id, begin, mid, depth + 1, best.left);
    Grow(left_id + 1, mid, end, depth + 1, best.right);
  }

  const BinnedData& d_;
  const TreeParams& p_;
  const uint64_t seed_;
  TreeScratch& s_;
  const int stride_;
  UpliftTree tree_;
  // The split-choosing rows' regularized means per node (priors for the children).
  std::vector<double> node_pt_, node_pc_;
};

}  // namespace

bool IsFillingRow(uint64_t seed, uint32_t rank) {
  return IsFillingRowFromHalfSeed(MixSeed(seed, kHonestPurpose), rank);
}

UpliftTree GrowTree(const BinnedData& data, const TreeParams& params, uint64_t seed,
                    TreeScratch& scratch) {
  return Builder(data, params, seed, scratch).Run();
}

}  // namespace upcamp::models::forest
