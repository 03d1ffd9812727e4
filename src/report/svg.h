#pragma once
// SVG charts from plain numbers: a line chart (several named series), a bar chart (grouped,
// negative values, error bars, vertical or horizontal), a histogram with vertical marker lines,
// and an interval ("forest") plot. Each Render* call returns one self-contained <svg> element.
//
// What every chart guarantees:
//  - Well-formed XML: every text (titles, labels, legend entries, category names) is escaped,
//    so any user string (a feature called `a<b & "c"`) is safe to show.
//  - Deterministic: the same input gives the same bytes (no ids, no clocks, no locale; numbers
//    go through report/format.h, coordinates are printed with one decimal).
//  - Every drawn coordinate lies inside the viewBox [0, width] × [0, height].
//  - Degenerate data never crashes: non-finite values are skipped (or shown as "n/a" where a
//    value has a fixed place, like a bar), a single point gets a range around it, and a chart
//    with nothing to draw shows its title and a visible "no data" note.
//  - Readable standalone: the <svg> carries its own xmlns, font and colours, a <title> (the
//    chart's accessible name, also what the browser check looks for), axis labels, tick labels
//    at "nice" numbers, and a legend when there is more than one series. Bars, points and
//    intervals carry a <title> tooltip with their exact values (no JavaScript needed).
//
// Sizes are in CSS pixels; the HTML page scales a chart down to its column's width.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace upcamp::report {

namespace internal {
class SvgCanvas;
}

/// One rendered chart: an <svg>…</svg> element. Only the renderers below make one, so a page
/// that embeds an Svg embeds markup whose text was escaped.
class Svg {
 public:
  const std::string& markup() const { return markup_; }

 private:
  friend class internal::SvgCanvas;
  explicit Svg(std::string markup) : markup_(std::move(markup)) {}
  std::string markup_;
};

/// Colour i of the default palette (Okabe–Ito, distinguishable with colour-vision deficiency);
/// wraps around after 7 colours.
std::string_view PaletteColor(size_t i);
/// Grey for reference series ("random", "perfect") and reference lines.
inline constexpr std::string_view kReferenceColor = "#888888";
/// Colour of histogram markers (e.g. the threshold).
inline constexpr std::string_view kMarkerColor = "#D55E00";

// ---------------------------------------------------------------------------------------------
// Line chart

/// One named line. x and y have the same length (the shorter length is used otherwise); points
/// with a non-finite x or y are skipped. x need not be sorted but lines join points in order.
struct Series {
  /// Legend entry; a series with an empty name is drawn but not listed.
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  /// Dashed line, e.g. for "random" and "perfect" reference curves.
  bool dashed = false;
  /// Any CSS colour ("#0072B2"); empty = the palette colour of the series' index.
  std::string color;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  /// The y range always includes 0 (curves that start at (0, 0), effects around zero).
  bool y_include_zero = true;
  /// Each series longer than this is reduced by DownsampleIndices (report/downsample.h), which
  /// keeps its end points, maximum and minimum. At least 4.
  size_t max_points_per_series = 1000;
  int width = 640;
  int height = 400;
};

Svg RenderLineChart(const LineChart& chart);

// ---------------------------------------------------------------------------------------------
// Bar chart

/// One series of bars, one value per category.
struct BarSeries {
  /// Legend entry (the legend is shown when there are two or more series).
  std::string name;
  /// One per category; may be negative; NaN = undefined, shown as "n/a". Missing trailing
  /// values count as NaN.
  std::vector<double> values;
  /// Optional error bars: empty, or the lower and upper ends per category (absolute values, e.g.
  /// value ∓ 1.96·std). A NaN end (or a missing entry) means no error bar for that category.
  std::vector<double> lower;
  std::vector<double> upper;
  std::string color;
};

struct BarChart {
  std::string title;
  /// Label of the category axis (below it when vertical, on its left side when horizontal).
  std::string category_label;
  /// Label of the value axis.
  std::string value_label;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  /// false: categories along the x axis, bars grow up (and down for negatives), e.g. uplift by
  /// decile. true: categories down the left side, bars grow right (and left), e.g. feature
  /// importance with long names.
  bool horizontal = false;
  int width = 640;
  /// 0 = automatic: 400 when vertical, by the number of categories when horizontal.
  int height = 0;
};

Svg RenderBarChart(const BarChart& chart);

// ---------------------------------------------------------------------------------------------
// Histogram

/// A vertical line across the plot at x = value, labelled at the top (e.g. the threshold).
struct Marker {
  double value = 0;
  std::string label;
  std::string color;  // empty = kMarkerColor
};

struct Histogram {
  std::string title;
  std::string x_label;
  std::string y_label = "count";
  /// Bin edges, increasing, counts.size() + 1 of them; bin i is [edges[i], edges[i+1]).
  std::vector<double> edges;
  std::vector<double> counts;
  /// The x range is widened to show every finite marker.
  std::vector<Marker> markers;
  int width = 640;
  int height = 360;
};

/// A histogram of `values` in `bins` equal-width bins between their minimum and maximum (the
/// last bin includes the maximum); non-finite values are left out. No finite value: empty edges
/// and counts (rendered as "no data"). All values equal: one bin around that value.
/// Only edges and counts are set; the caller sets the title, labels and markers.
Histogram HistogramOf(std::span<const double> values, int bins = 40);

Svg RenderHistogram(const Histogram& chart);

// ---------------------------------------------------------------------------------------------
// Interval ("forest") plot

/// One row: a point estimate and its confidence interval.
struct Interval {
  std::string label;
  double estimate = 0;
  /// Interval ends; a non-finite end draws no whisker (the point is still drawn).
  double lower = 0;
  double upper = 0;
  /// Text at the right end of the row; empty = "estimate [lower, upper]".
  std::string note;
};

struct IntervalPlot {
  std::string title;
  std::string x_label;
  std::vector<Interval> rows;
  /// A dashed vertical line at this value ("no effect"); the x range always includes it.
  double reference = 0;
  bool show_reference = true;
  int width = 640;
  /// 0 = automatic, by the number of rows.
  int height = 0;
};

/// Rows top to bottom in the given order. A point whose interval excludes the reference is
/// drawn in the first palette colour, one whose interval includes it (not significant) in grey.
Svg RenderIntervalPlot(const IntervalPlot& chart);

}  // namespace upcamp::report
