#pragma once
// The uplift charts and tables both reports share (training report of `upcamp train`, campaign
// report of `upcamp campaign`), from plain numbers: Qini and uplift curves against random and
// perfect, uplift by decile with error bars, a table of metrics with intervals.
//
// Plain numbers only: this module knows nothing of metrics/, models/ or campaign/. A caller copies
// e.g. metrics::Curve{n, value} into CurvePoints and metrics::PercentileRow into DecileRow
// (std::nullopt → NaN).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "report/html.h"
#include "report/svg.h"

namespace upcamp::report {

inline constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

/// A curve: n = clients in ranking order (from 0), value = curve value at n. Same length.
struct CurvePoints {
  std::vector<double> n;
  std::vector<double> value;
};

/// One row of uplift by percentile (sklift's uplift_by_percentile). NaN = undefined.
struct DecileRow {
  std::string label;  // "0-10", ...
  int64_t n_treatment = 0;
  int64_t n_control = 0;
  double response_treatment = kUndefined;
  double response_control = kUndefined;
  double uplift = kUndefined;
  double std_uplift = kUndefined;
};

/// A scalar metric with an optional interval (NaN ends = none), e.g. {"qini_auc", 0.21, 0.18,
/// 0.24}.
struct MetricValue {
  std::string name;
  double value = kUndefined;
  double lower = kUndefined;
  double upper = kUndefined;
  /// Free text: why it is undefined, what the interval is ("bootstrap 95%").
  std::string note;
};

/// A model's curves on one population, each with its perfect (oracle) curve. An empty curve is
/// left out; the "random" line joins (0, 0) to the model curve's last point (sklift's random
/// baseline: all three curves end at the same point, the whole population's value).
struct UpliftCurves {
  CurvePoints qini;
  CurvePoints qini_perfect;
  CurvePoints uplift;
  CurvePoints uplift_perfect;
};

/// "Qini curve" chart: model (solid), random and perfect (dashed), x = clients targeted.
/// `what` names the population in the title, e.g. "validation".
Svg QiniChart(const UpliftCurves& curves, const std::string& what);
/// "Uplift curve" chart, the same for the uplift curve.
Svg UpliftCurveChart(const UpliftCurves& curves, const std::string& what);

/// Bars of uplift per decile with ±1.96·std error bars (a 95% normal interval).
Svg DecileChart(const std::vector<DecileRow>& rows, const std::string& what);
/// The decile table: clients per group, response rates, uplift and its std.
DataTable DecileTable(const std::vector<DecileRow>& rows);

/// Metric, value, and "95% CI" / note columns when any row has them.
DataTable MetricsTable(const std::vector<MetricValue>& metrics);

/// Adds the curve charts, decile chart and decile table to `section` (skipping whatever is
/// empty; a note says so when nothing is there).
void AddModelQuality(Section& section, const UpliftCurves& curves,
                     const std::vector<DecileRow>& deciles, const std::string& what);

}  // namespace upcamp::report
