#include "metrics/curves.h"

#include <algorithm>
#include <initializer_list>

#include "metrics/checks.h"

namespace upcamp::metrics {
namespace {

enum class Kind { kUplift, kQini };

// Running sums over a prefix of the ranking. Counts are kept as doubles and updated in row
// order, like sklift's float cumulative sums, so values agree bit for bit on 0/1 data.
struct Prefix {
  double n = 0, nt = 0, yt = 0, yc = 0;

  void Add(double rows, double treated, double y_treated, double y_control) {
    n += rows;
    nt += treated;
    yt += y_treated;
    yc += y_control;
  }
  double Value(Kind kind) const {
    const double nc = n - nt;
    if (kind == Kind::kUplift) {
      const double rate_t = nt != 0 ? yt / nt : 0.0;
      const double rate_c = nc != 0 ? yc / nc : 0.0;
      return (rate_t - rate_c) * n;
    }
    const double ratio = nc != 0 ? nt / nc : 0.0;
    return yt - yc * ratio;
  }
};

Curve StartCurve(size_t capacity) {
  Curve c;
  c.n.reserve(capacity + 1);
  c.value.reserve(capacity + 1);
  c.n.push_back(0);
  c.value.push_back(0);
  return c;
}

// Calls emit(n, value) at the last row of every block of tied scores, in ranking order.
template <typename Emit>
void WalkBlocks(const RankedSample& sample, Kind kind, Emit&& emit) {
  const auto s = sample.score();
  const auto t = sample.treatment();
  const auto y = sample.outcome();
  const size_t n = sample.size();
  Prefix p;
  for (size_t i = 0; i < n; ++i) {
    if (t[i]) {
      p.Add(1, 1, y[i], 0);
    } else {
      p.Add(1, 0, 0, y[i]);
    }
    if (i + 1 == n || s[i] != s[i + 1]) emit(p.n, p.Value(kind));
  }
}

Curve RankedCurve(const RankedSample& sample, Kind kind) {
  Curve c = StartCurve(sample.size());
  WalkBlocks(sample, kind, [&](double n, double v) {
    c.n.push_back(n);
    c.value.push_back(v);
  });
  return c;
}

// AreaUnderCurve(RankedCurve(sample, kind)) without materializing the curve: the same terms,
// summed in the same order, so the result is bit-identical.
double RankedArea(const RankedSample& sample, Kind kind) {
  detail::CompensatedSum area;
  double prev_n = 0, prev_v = 0;
  WalkBlocks(sample, kind, [&](double n, double v) {
    area.Add((n - prev_n) * (v + prev_v) / 2.0);
    prev_n = n;
    prev_v = v;
  });
  return area.Value();
}

// One block of the oracle ranking: a cell of the 2×2 (treatment × outcome) table, or a union.
struct Block {
  double rows, treated, y_treated, y_control;
};

Curve BlockCurve(std::initializer_list<Block> blocks, Kind kind) {
  Curve c = StartCurve(blocks.size());
  Prefix p;
  for (const Block& b : blocks) {
    if (b.rows == 0) continue;  // an absent score value makes no block, hence no point
    p.Add(b.rows, b.treated, b.y_treated, b.y_control);
    c.n.push_back(p.n);
    c.value.push_back(p.Value(kind));
  }
  return c;
}

// The 2×2 cell counts of a sample with a 0/1 outcome.
struct Cells {
  double tr = 0, tn = 0, cr = 0, cn = 0;  // treated/control × responder/non-responder
};

Cells CountCells(const RankedSample& sample) {
  Cells c;
  const auto t = sample.treatment();
  const auto y = sample.outcome();
  for (size_t i = 0; i < sample.size(); ++i) {
    const bool r = y[i] == 1.0;
    if (t[i]) {
      (r ? c.tr : c.tn) += 1;
    } else {
      (r ? c.cr : c.cn) += 1;
    }
  }
  return c;
}

Result<double> Normalized(double actual_area, const Curve& perfect, std::string_view metric) {
  const double x_last = perfect.n.back();
  const double y_last = perfect.value.back();
  const double random = x_last * (0.0 + y_last) / 2.0;  // trapezoid (0,0)–(x_last,y_last)
  const double perfect_gain = AreaUnderCurve(perfect) - random;
  if (perfect_gain == 0) {
    return Status::Data(
        "{} is undefined: the perfect curve has the same area as the random line ({}), so "
        "there is nothing to normalize by",
        metric, random);
  }
  return (actual_area - random) / perfect_gain;
}

Result<RankedSample> WithoutScore(std::span<const uint8_t> treatment,
                                  std::span<const double> outcome) {
  const std::vector<double> zeros(treatment.size(), 0.0);
  return RankedSample::Make(zeros, treatment, outcome);
}

}  // namespace

Result<Curve> UpliftCurve(const RankedSample& sample) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBothGroups(sample, "uplift curve"));
  return RankedCurve(sample, Kind::kUplift);
}

Result<Curve> UpliftCurve(std::span<const double> score, std::span<const uint8_t> treatment,
                          std::span<const double> outcome) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return UpliftCurve(sample);
}

Result<Curve> QiniCurve(const RankedSample& sample) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBothGroups(sample, "Qini curve"));
  return RankedCurve(sample, Kind::kQini);
}

Result<Curve> QiniCurve(std::span<const double> score, std::span<const uint8_t> treatment,
                        std::span<const double> outcome) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return QiniCurve(sample);
}

Result<Curve> PerfectUpliftCurve(const RankedSample& sample) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBinaryOutcome(sample, "perfect uplift curve"));
  const Cells c = CountCells(sample);
  // Oracle score 2·[y = t] + (y if CR > TN else t):
  //   CR > TN:  TR → 3, CN → 2, CR → 1, TN → 0
  //   else:     TR → 3, CN → 2, TN → 1, CR → 0
  const Block tr{c.tr, c.tr, c.tr, 0}, cn{c.cn, 0, 0, 0}, cr{c.cr, 0, 0, c.cr},
      tn{c.tn, c.tn, 0, 0};
  if (c.cr > c.tn) return BlockCurve({tr, cn, cr, tn}, Kind::kUplift);
  return BlockCurve({tr, cn, tn, cr}, Kind::kUplift);
}

Result<Curve> PerfectUpliftCurve(std::span<const uint8_t> treatment,
                                 std::span<const double> outcome) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, WithoutScore(treatment, outcome));
  return PerfectUpliftCurve(sample);
}

Result<Curve> PerfectQiniCurve(const RankedSample& sample, bool negative_effect) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBinaryOutcome(sample, "perfect Qini curve"));
  const Cells c = CountCells(sample);
  if (negative_effect) {
    // Oracle score y·t − y·(1−t): TR → 1, TN and CN → 0, CR → −1.
    return BlockCurve({{c.tr, c.tr, c.tr, 0}, {c.tn + c.cn, c.tn, 0, 0}, {c.cr, 0, 0, c.cr}},
                      Kind::kQini);
  }
  // sklift: Yt − Nt · Yc / Nc, evaluated left to right.
  const double nt = c.tr + c.tn, nc = c.cr + c.cn;
  const double r = c.tr - nt * c.cr / nc;
  if (r < 0) {
    return Status::Data(
        "perfect Qini curve without negative effects is undefined: the overall Qini value is "
        "negative ({}), so the curve (0,0)–(R,R)–(N,R) would go backwards; use "
        "negative_effect = true",
        r);
  }
  Curve curve;
  curve.n = {0, r, static_cast<double>(sample.size())};
  curve.value = {0, r, r};
  return curve;
}

Result<Curve> PerfectQiniCurve(std::span<const uint8_t> treatment, std::span<const double> outcome,
                               bool negative_effect) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, WithoutScore(treatment, outcome));
  return PerfectQiniCurve(sample, negative_effect);
}

double AreaUnderCurve(const Curve& curve) {
  detail::CompensatedSum area;
  for (size_t i = 1; i < curve.n.size(); ++i) {
    area.Add((curve.n[i] - curve.n[i - 1]) * (curve.value[i] + curve.value[i - 1]) / 2.0);
  }
  return area.Value();
}

Result<double> UpliftAucScore(const RankedSample& sample) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBinaryOutcome(sample, "uplift_auc"));
  UPCAMP_ASSIGN_OR_RETURN(auto perfect, PerfectUpliftCurve(sample));
  return Normalized(RankedArea(sample, Kind::kUplift), perfect, "uplift_auc");
}

Result<double> UpliftAucScore(std::span<const double> score, std::span<const uint8_t> treatment,
                              std::span<const double> outcome) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return UpliftAucScore(sample);
}

Result<double> QiniAucScore(const RankedSample& sample, bool negative_effect) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBinaryOutcome(sample, "qini_auc"));
  auto perfect = PerfectQiniCurve(sample, negative_effect);
  if (!perfect.ok()) return perfect.status().WithPrefix("qini_auc is undefined");
  return Normalized(RankedArea(sample, Kind::kQini), *perfect, "qini_auc");
}

Result<double> QiniAucScore(std::span<const double> score, std::span<const uint8_t> treatment,
                            std::span<const double> outcome, bool negative_effect) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return QiniAucScore(sample, negative_effect);
}

Result<BalanceCurve> TreatmentBalanceCurve(const RankedSample& sample, int64_t window) {
  const auto n = static_cast<int64_t>(sample.size());
  if (window < 1 || window > n) {
    return Status::Data("treatment balance curve: window {} must be between 1 and the {} rows",
                        window, n);
  }
  const auto t = sample.treatment();
  const size_t points = static_cast<size_t>(n - window + 1);
  BalanceCurve out;
  out.percentile.resize(points);
  out.treated_share.resize(points);
  // np.linspace(1, 100, points): start + i · step, the last point set to exactly 100.
  const double step = points > 1 ? 99.0 / static_cast<double>(points - 1) : 0.0;
  int64_t in_window = 0;
  for (int64_t i = 0; i < window; ++i) in_window += t[i];
  const auto w = static_cast<double>(window);
  for (size_t p = 0; p < points; ++p) {
    if (p > 0) in_window += t[p + window - 1] - t[p - 1];
    out.percentile[p] = static_cast<double>(p) * step + 1.0;
    out.treated_share[p] = static_cast<double>(in_window) / w;
  }
  if (points > 1) out.percentile.back() = 100.0;
  return out;
}

Result<BalanceCurve> TreatmentBalanceCurve(std::span<const double> score,
                                           std::span<const uint8_t> treatment, int64_t window) {
  const std::vector<double> zeros(treatment.size(), 0.0);
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, zeros));
  return TreatmentBalanceCurve(sample, window);
}

int64_t DefaultBalanceWindow(size_t rows, double fraction) {
  return static_cast<int64_t>(static_cast<double>(rows) * fraction);
}

}  // namespace upcamp::metrics
