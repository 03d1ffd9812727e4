#include "models/forest/criteria.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace upcamp::models::forest {
namespace {

constexpr double kEps = 1e-6;

// x * log2(x / y) with 0 * log(0 / y) = 0; y > 0.
inline double XLog2Ratio(double x, double y) {
  return x > 0 ? x * std::log2(x / y) : 0.0;
}

// Binary KL divergence in bits, q clipped away from 0 and 1.
double BinaryKL(double p, double q) {
  q = std::clamp(q, kEps, 1 - kEps);
  return XLog2Ratio(p, q) + XLog2Ratio(1 - p, 1 - q);
}

double BinaryChi(double p, double q) {
  const double d2 = (p - q) * (p - q);
  return d2 / std::max(q, kEps) + d2 / std::max(1 - q, kEps);
}

// Entropy in bits of (a, 1 - a).
double Entropy(double a) {
  double h = 0;
  if (a > 0) h -= a * std::log2(a);
  if (a < 1) h -= (1 - a) * std::log2(1 - a);
  return h;
}

double Gini(double a) {
  return 1 - a * a - (1 - a) * (1 - a);
}

}  // namespace

const char* CriterionName(Criterion c) {
  switch (c) {
    case Criterion::kKL:
      return "KL";
    case Criterion::kED:
      return "ED";
    case Criterion::kChi:
      return "Chi";
    case Criterion::kDDP:
      return "DDP";
  }
  return "?";
}

bool ParseCriterion(std::string_view name, Criterion* out) {
  for (Criterion c : {Criterion::kKL, Criterion::kED, Criterion::kChi, Criterion::kDDP}) {
    const std::string_view canonical = CriterionName(c);
    if (canonical.size() == name.size() &&
        std::equal(name.begin(), name.end(), canonical.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      *out = c;
      return true;
    }
  }
  return false;
}

bool SupportsContinuous(Criterion c) {
  return c == Criterion::kED || c == Criterion::kDDP;
}

double ShrunkMean(const GroupSums& g, double prior, double n_reg) {
  const double denom = g.n + n_reg;
  return denom > 0 ? (g.s + n_reg * prior) / denom : prior;
}

double Divergence(Criterion c, double pt, double pc, bool binary) {
  switch (c) {
    case Criterion::kKL:
      return BinaryKL(pt, pc);
    case Criterion::kED:
      return (binary ? 2.0 : 1.0) * (pt - pc) * (pt - pc);
    case Criterion::kChi:
      return BinaryChi(pt, pc);
    case Criterion::kDDP:
      return pt - pc;
  }
  return 0;
}

double SplitNormalization(Criterion c, const NodeSums& left, const NodeSums& right) {
  if (c == Criterion::kDDP) return 1.0;
  const double nt = left.treated.n + right.treated.n;
  const double nc = left.control.n + right.control.n;
  const double n = nt + nc;
  if (n <= 0) return 1.0;
  const double a_t = nt > 0 ? left.treated.n / nt : 0.0;  // share of treated rows going left
  const double a_c = nc > 0 ? left.control.n / nc : 0.0;
  const double wt = nt / n, wc = nc / n;
  if (c == Criterion::kKL) {
    return Entropy(wt) * BinaryKL(a_t, a_c) + wt * Entropy(a_t) + wc * Entropy(a_c) + 0.5;
  }
  const double d = c == Criterion::kED ? 2.0 * (a_t - a_c) * (a_t - a_c) : BinaryChi(a_t, a_c);
  return Gini(wt) * d + wt * Gini(a_t) + wc * Gini(a_c) + 0.5;
}

double SplitGain(Criterion c, bool binary, bool normalize, double n_reg, double node_pt,
                 double node_pc, const NodeSums& left, const NodeSums& right) {
  const double pt_l = ShrunkMean(left.treated, node_pt, n_reg);
  const double pc_l = ShrunkMean(left.control, node_pc, n_reg);
  const double pt_r = ShrunkMean(right.treated, node_pt, n_reg);
  const double pc_r = ShrunkMean(right.control, node_pc, n_reg);
  if (c == Criterion::kDDP) return std::abs((pt_l - pc_l) - (pt_r - pc_r));
  const double n_l = left.n(), n_r = right.n(), n = n_l + n_r;
  if (n <= 0) return 0;
  const double gain = n_l / n * Divergence(c, pt_l, pc_l, binary) +
                      n_r / n * Divergence(c, pt_r, pc_r, binary) -
                      Divergence(c, node_pt, node_pc, binary);
  return normalize ? gain / SplitNormalization(c, left, right) : gain;
}

}  // namespace upcamp::models::forest
