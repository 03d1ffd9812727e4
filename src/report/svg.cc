#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/downsample.h"
#include "report/format.h"

namespace upcamp::report {

namespace {

constexpr double kTitlePx = 15;
constexpr double kLabelPx = 13;
constexpr double kTickPx = 11;
constexpr std::string_view kAxisColor = "#444444";
constexpr std::string_view kGridColor = "#e3e3e3";
constexpr std::string_view kTextColor = "#222222";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A coordinate with one decimal; "-0.0" prints as "0.0" so that output does not depend on the
// sign of a zero that rounding produced.
std::string Px(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s == "-0.0") s = "0.0";
  return s;
}

double At(const std::vector<double>& v, size_t i) {
  return i < v.size() ? v[i] : kNaN;
}

// The plot area inside the chart, in pixels.
struct Frame {
  double left, top, right, bottom;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

// Maps data values of a scale onto pixels p0 (at scale.lo) .. p1 (at scale.hi); p1 < p0 for a
// y axis (pixels grow downwards). Clamped to the scale, so a drawn point never leaves the frame.
struct Axis {
  Scale scale;
  double p0 = 0;
  double p1 = 1;
  double Map(double v) const {
    const double span = scale.hi - scale.lo;
    double t = span > 0 ? (v - scale.lo) / span : 0.5;
    t = std::clamp(t, 0.0, 1.0);
    return p0 + t * (p1 - p0);
  }
};

// Running minimum and maximum of finite values.
struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

double MaxTextWidth(const std::vector<std::string>& texts, double font_px) {
  double w = 0;
  for (const auto& t : texts) w = std::max(w, TextWidth(t, font_px));
  return w;
}

struct LegendItem {
  std::string name;
  std::string color;
  bool dashed = false;
  bool box = false;  // a filled square (bars) instead of a line
};

constexpr double kLegendRowPx = 18;

double LegendItemWidth(const LegendItem& item) {
  return 22 + 6 + TextWidth(item.name, 12) + 18;
}

// Rows needed for the legend between x = left and right.
int LegendRows(const std::vector<LegendItem>& items, double left, double right) {
  if (items.empty()) return 0;
  int rows = 1;
  double x = left;
  for (const auto& item : items) {
    const double w = LegendItemWidth(item);
    if (x > left && x + w > right) {
      ++rows;
      x = left;
    }
    x += w;
  }
  return rows;
}

std::string ColorOr(const std::string& color, size_t index) {
  return color.empty() ? std::string(PaletteColor(index)) : color;
}

}  // namespace

namespace internal {

// Builds the markup of one chart. Every text goes through EscapeXml, every coordinate through
// Px and is clamped to the viewBox.
class SvgCanvas {
 public:
  SvgCanvas(int width, int height, std::string_view title)
      : width_(std::max(width, 120)), height_(std::max(height, 80)) {
    out_ = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
        "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"{2}\">\n",
        width_, height_, kTextColor);
    out_ += "<title>" + EscapeXml(title) + "</title>\n";
    out_ += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                        width_, height_);
  }

  int width() const { return width_; }
  int height() const { return height_; }

  void Line(double x1, double y1, double x2, double y2, std::string_view color, double stroke,
            bool dashed = false) {
    out_ += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
        X(x1), Y(y1), X(x2), Y(y2), EscapeXml(color), FormatNumber(stroke),
        dashed ? " stroke-dasharray=\"6 4\"" : "");
  }

  void Rect(double x, double y, double w, double h, std::string_view fill,
            std::string_view tooltip = {}, double opacity = 1.0) {
    const double x0 = Clamp(x, width_), y0 = Clamp(y, height_);
    const double x1 = Clamp(x + w, width_), y1 = Clamp(y + h, height_);
    out_ += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"", Px(x0),
                        Px(y0), Px(std::max(0.0, x1 - x0)), Px(std::max(0.0, y1 - y0)),
                        EscapeXml(fill));
    if (opacity < 1.0) out_ += fmt::format(" fill-opacity=\"{}\"", FormatNumber(opacity));
    CloseWithTooltip("rect", tooltip);
  }

  void Circle(double cx, double cy, double r, std::string_view fill, std::string_view tooltip) {
    out_ += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"", X(cx), Y(cy),
                        FormatNumber(r), EscapeXml(fill));
    CloseWithTooltip("circle", tooltip);
  }

  // A polyline through pixel points.
  void Path(const std::vector<double>& px, const std::vector<double>& py, std::string_view color,
            double stroke, bool dashed) {
    if (px.empty()) return;
    std::string d;
    d.reserve(px.size() * 14);
    for (size_t i = 0; i < px.size(); ++i) {
      d += i == 0 ? "M" : " L";
      d += X(px[i]);
      d += ' ';
      d += Y(py[i]);
    }
    out_ += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" "
        "stroke-linejoin=\"round\"{}/>\n",
        d, EscapeXml(color), FormatNumber(stroke), dashed ? " stroke-dasharray=\"7 5\"" : "");
  }

  enum class Anchor { kStart, kMiddle, kEnd };

  void Text(double x, double y, std::string_view text, double font_px, Anchor anchor,
            bool bold = false, bool vertical = false, std::string_view cls = {}) {
    static constexpr const char* kAnchors[] = {"start", "middle", "end"};
    out_ += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\"", X(x), Y(y),
                        FormatNumber(font_px), kAnchors[static_cast<int>(anchor)]);
    if (bold) out_ += " font-weight=\"bold\"";
    if (vertical) out_ += fmt::format(" transform=\"rotate(-90 {} {})\"", X(x), Y(y));
    if (!cls.empty()) out_ += fmt::format(" class=\"{}\"", EscapeXml(cls));
    out_ += ">" + EscapeXml(text) + "</text>\n";
  }

  void Title(std::string_view title) {
    if (title.empty()) return;
    Text(12, 21, Truncate(title, width_ - 24, kTitlePx), kTitlePx, Anchor::kStart, true);
  }

  // The visible note of a chart without data, in the middle of `frame`.
  void NoData(const Frame& frame) {
    Rect(frame.left, frame.top, frame.width(), frame.height(), "#f7f7f7");
    Text((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2 + 5, "no data", 14,
         Anchor::kMiddle, false, false, "no-data");
  }

  void Legend(const std::vector<LegendItem>& items, double left, double right, double top) {
    double x = left, y = top;
    for (const auto& item : items) {
      const double w = LegendItemWidth(item);
      if (x > left && x + w > right) {
        x = left;
        y += kLegendRowPx;
      }
      if (item.box) {
        Rect(x + 5, y + 3, 12, 12, item.color);
      } else {
        Line(x, y + 9, x + 22, y + 9, item.color, 2.5, item.dashed);
      }
      Text(x + 28, y + 13, item.name, 12, Anchor::kStart, false, false, "legend");
      x += w;
    }
  }

  Svg Finish() {
    out_ += "</svg>\n";
    return Svg(std::move(out_));
  }

 private:
  static double Clamp(double v, int limit) {
    if (!std::isfinite(v)) return 0;
    return std::clamp(v, 0.0, static_cast<double>(limit));
  }
  std::string X(double x) const { return Px(Clamp(x, width_)); }
  std::string Y(double y) const { return Px(Clamp(y, height_)); }

  void CloseWithTooltip(std::string_view element, std::string_view tooltip) {
    if (tooltip.empty()) {
      out_ += "/>\n";
    } else {
      out_ += "><title>" + EscapeXml(tooltip) + "</title></" + std::string(element) + ">\n";
    }
  }

  int width_, height_;
  std::string out_;
};

}  // namespace internal

using internal::SvgCanvas;
using Anchor = SvgCanvas::Anchor;

namespace {

// Horizontal grid lines, y ticks and labels at the left of the frame, and the rotated y label.
void DrawYAxis(SvgCanvas& c, const Frame& f, const Axis& axis, std::string_view label, bool grid) {
  const auto labels = TickLabels(axis.scale);
  for (size_t i = 0; i < axis.scale.ticks.size(); ++i) {
    const double y = axis.Map(axis.scale.ticks[i]);
    if (grid) c.Line(f.left, y, f.right, y, kGridColor, 1);
    c.Line(f.left - 5, y, f.left, y, kAxisColor, 1);
    c.Text(f.left - 8, y + 4, labels[i], kTickPx, Anchor::kEnd, false, false, "tick");
  }
  c.Line(f.left, f.top, f.left, f.bottom, kAxisColor, 1);
  if (!label.empty()) {
    c.Text(15, (f.top + f.bottom) / 2, Truncate(label, f.height(), kLabelPx), kLabelPx,
           Anchor::kMiddle, false, true, "axis-label");
  }
}

// Vertical grid lines, x ticks and labels below the frame, and the x label under them.
void DrawXAxis(SvgCanvas& c, const Frame& f, const Axis& axis, std::string_view label, bool grid) {
  const auto labels = TickLabels(axis.scale);
  for (size_t i = 0; i < axis.scale.ticks.size(); ++i) {
    const double x = axis.Map(axis.scale.ticks[i]);
    if (grid) c.Line(x, f.top, x, f.bottom, kGridColor, 1);
    c.Line(x, f.bottom, x, f.bottom + 5, kAxisColor, 1);
    c.Text(x, f.bottom + 18, labels[i], kTickPx, Anchor::kMiddle, false, false, "tick");
  }
  c.Line(f.left, f.bottom, f.right, f.bottom, kAxisColor, 1);
  if (!label.empty()) {
    c.Text((f.left + f.right) / 2, f.bottom + 36, Truncate(label, f.width(), kLabelPx), kLabelPx,
           Anchor::kMiddle, false, false, "axis-label");
  }
}

// Space below the frame: tick labels, x label, legend rows.
double BottomMargin(bool has_x_label, int legend_rows) {
  return 24 + (has_x_label ? 20 : 0) + legend_rows * kLegendRowPx + (legend_rows > 0 ? 10 : 0);
}

double TopMargin(const std::string& title) {
  return title.empty() ? 12 : 36;
}

// Width of the y tick labels plus the rotated y label.
double LeftMargin(const Scale& y_scale, bool has_y_label) {
  return MaxTextWidth(TickLabels(y_scale), kTickPx) + 14 + (has_y_label ? 24 : 4);
}

}  // namespace

std::string_view PaletteColor(size_t i) {
  static constexpr std::string_view kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000"};
  return kPalette[i % std::size(kPalette)];
}

// ---------------------------------------------------------------------------------------------

Svg RenderLineChart(const LineChart& chart) {
  SvgCanvas c(chart.width, chart.height, chart.title);
  c.Title(chart.title);

  // Reduce, then drop non-finite points.
  struct Prepared {
    std::vector<double> x, y;
  };
  std::vector<Prepared> prepared(chart.series.size());
  Range xr, yr;
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    std::vector<double> x, y;
    Downsample(series.x, series.y, chart.max_points_per_series, &x, &y);
    for (size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
      prepared[s].x.push_back(x[i]);
      prepared[s].y.push_back(y[i]);
      xr.Add(x[i]);
      yr.Add(y[i]);
    }
  }

  std::vector<LegendItem> legend;
  for (size_t s = 0; s < chart.series.size(); ++s) {
    if (chart.series[s].name.empty()) continue;
    legend.push_back(
        {chart.series[s].name, ColorOr(chart.series[s].color, s), chart.series[s].dashed, false});
  }

  const bool empty = xr.empty();
  if (!empty && chart.y_include_zero) yr.Add(0);
  const Scale x_scale = empty ? NiceScale(0, 1) : NiceScale(xr.lo, xr.hi);
  const Scale y_scale = empty ? NiceScale(0, 1) : NiceScale(yr.lo, yr.hi);
  const double left = LeftMargin(y_scale, !chart.y_label.empty());
  const double right_edge = c.width() - 22.0;
  const int legend_rows = LegendRows(legend, left, right_edge);
  Frame f{left, TopMargin(chart.title), right_edge,
          c.height() - BottomMargin(!chart.x_label.empty(), legend_rows)};
  if (f.height() < 20) f.bottom = f.top + 20;

  if (empty) {
    c.NoData(f);
  } else {
    const Axis xa{x_scale, f.left, f.right};
    const Axis ya{y_scale, f.bottom, f.top};
    DrawYAxis(c, f, ya, chart.y_label, true);
    DrawXAxis(c, f, xa, chart.x_label, true);
    for (size_t s = 0; s < prepared.size(); ++s) {
      const Series& series = chart.series[s];
      const std::string color = ColorOr(series.color, s);
      std::vector<double> px(prepared[s].x.size()), py(prepared[s].y.size());
      for (size_t i = 0; i < px.size(); ++i) {
        px[i] = xa.Map(prepared[s].x[i]);
        py[i] = ya.Map(prepared[s].y[i]);
      }
      if (px.size() == 1) {
        // A lone point draws no line; show it as a dot.
        c.Circle(px[0], py[0], 3.5, color,
                 fmt::format("{}: ({}, {})", series.name, FormatNumber(prepared[s].x[0]),
                             FormatNumber(prepared[s].y[0])));
      } else {
        c.Path(px, py, color, series.dashed ? 1.8 : 2.2, series.dashed);
      }
    }
  }
  const double legend_top = f.bottom + 24 + (chart.x_label.empty() ? 0 : 20) + 6;
  c.Legend(legend, f.left, right_edge, legend_top);
  return c.Finish();
}

// ---------------------------------------------------------------------------------------------

Svg RenderBarChart(const BarChart& chart) {
  const size_t k = chart.categories.size();
  const size_t ns = chart.series.size();
  const double row_px = std::clamp(12.0 * static_cast<double>(ns) + 10, 20.0, 60.0);
  int height = chart.height;
  if (height <= 0) {
    height =
        chart.horizontal
            ? static_cast<int>(std::ceil(80 + row_px * static_cast<double>(std::max<size_t>(k, 1)) +
                                         (ns > 1 ? kLegendRowPx * 2 : 0)))
            : 400;
  }
  SvgCanvas c(chart.width, height, chart.title);
  c.Title(chart.title);

  Range vr;
  for (const auto& s : chart.series) {
    for (size_t i = 0; i < k; ++i) {
      const double v = At(s.values, i);
      if (!std::isfinite(v)) continue;
      vr.Add(v);
      const double lo = At(s.lower, i), hi = At(s.upper, i);
      if (std::isfinite(lo) && std::isfinite(hi)) {
        vr.Add(lo);
        vr.Add(hi);
      }
    }
  }
  const bool empty = vr.empty();
  vr.Add(0);  // bars grow from zero
  const Scale v_scale = empty ? NiceScale(0, 1) : NiceScale(vr.lo, vr.hi);

  std::vector<LegendItem> legend;
  if (ns > 1) {
    for (size_t s = 0; s < ns; ++s) {
      legend.push_back({chart.series[s].name, ColorOr(chart.series[s].color, s), false, true});
    }
  }
  std::vector<std::string> categories = chart.categories;

  Frame f{};
  const double right_edge = c.width() - 22.0;
  if (chart.horizontal) {
    const double label_w = std::min(MaxTextWidth(categories, kTickPx), 0.38 * c.width()) + 12;
    const double left = label_w + (chart.category_label.empty() ? 4 : 24);
    const int legend_rows = LegendRows(legend, left, right_edge);
    f = {left, TopMargin(chart.title), right_edge,
         c.height() - BottomMargin(!chart.value_label.empty(), legend_rows)};
    for (auto& cat : categories) cat = Truncate(cat, label_w - 12, kTickPx);
  } else {
    const int legend_rows = LegendRows(legend, 60, right_edge);
    f = {LeftMargin(v_scale, !chart.value_label.empty()), TopMargin(chart.title), right_edge,
         c.height() - BottomMargin(!chart.category_label.empty(), legend_rows)};
  }
  if (f.height() < 20) f.bottom = f.top + 20;

  if (empty || k == 0) {
    c.NoData(f);
  } else {
    const Axis va =
        chart.horizontal ? Axis{v_scale, f.left, f.right} : Axis{v_scale, f.bottom, f.top};
    const double band = (chart.horizontal ? f.height() : f.width()) / static_cast<double>(k);
    const double bar = band * 0.8 / static_cast<double>(std::max<size_t>(ns, 1));
    const double band_start = chart.horizontal ? f.top : f.left;
    if (chart.horizontal) {
      DrawXAxis(c, f, va, chart.value_label, true);
      c.Line(f.left, f.top, f.left, f.bottom, kAxisColor, 1);
      if (!chart.category_label.empty()) {
        c.Text(15, (f.top + f.bottom) / 2, Truncate(chart.category_label, f.height(), kLabelPx),
               kLabelPx, Anchor::kMiddle, false, true, "axis-label");
      }
    } else {
      DrawYAxis(c, f, va, chart.value_label, true);
      c.Line(f.left, f.bottom, f.right, f.bottom, kAxisColor, 1);
      if (!chart.category_label.empty()) {
        c.Text((f.left + f.right) / 2, f.bottom + 36,
               Truncate(chart.category_label, f.width(), kLabelPx), kLabelPx, Anchor::kMiddle,
               false, false, "axis-label");
      }
    }
    const double zero = va.Map(0);
    for (size_t i = 0; i < k; ++i) {
      const double b0 = band_start + band * static_cast<double>(i);
      const double mid = b0 + band / 2;
      if (chart.horizontal) {
        c.Text(f.left - 8, mid + 4, categories[i], kTickPx, Anchor::kEnd, false, false, "tick");
      } else {
        c.Text(mid, f.bottom + 18, Truncate(categories[i], band - 2, kTickPx), kTickPx,
               Anchor::kMiddle, false, false, "tick");
      }
      for (size_t s = 0; s < ns; ++s) {
        const BarSeries& series = chart.series[s];
        const double v = At(series.values, i);
        const double lo = At(series.lower, i), hi = At(series.upper, i);
        const double p0 = b0 + band * 0.1 + bar * static_cast<double>(s);  // bar's start
        const double pc = p0 + bar / 2;                                    // bar's centre
        std::string tip =
            series.name.empty() ? chart.categories[i] : series.name + ", " + chart.categories[i];
        tip += ": " + FormatNumber(v);
        if (!std::isfinite(v)) {
          if (chart.horizontal) {
            c.Text(zero + 4, pc + 4, kNotAvailable, 10, Anchor::kStart, false, false, "na");
          } else {
            c.Text(pc, zero - 4, kNotAvailable, 10, Anchor::kMiddle, false, false, "na");
          }
          continue;
        }
        const bool has_err = std::isfinite(lo) && std::isfinite(hi);
        if (has_err) tip += " [" + FormatNumber(lo) + ", " + FormatNumber(hi) + "]";
        const double pv = va.Map(v);
        const std::string color = ColorOr(series.color, s);
        if (chart.horizontal) {
          c.Rect(std::min(zero, pv), p0, std::fabs(pv - zero), bar * 0.92, color, tip);
        } else {
          c.Rect(p0, std::min(zero, pv), bar * 0.92, std::fabs(pv - zero), color, tip);
        }
        if (has_err) {
          const double a = va.Map(lo), b = va.Map(hi), cap = std::min(bar * 0.25, 6.0);
          const double mid_bar = p0 + bar * 0.46;
          if (chart.horizontal) {
            c.Line(a, mid_bar, b, mid_bar, "#222222", 1.3);
            c.Line(a, mid_bar - cap, a, mid_bar + cap, "#222222", 1.3);
            c.Line(b, mid_bar - cap, b, mid_bar + cap, "#222222", 1.3);
          } else {
            c.Line(mid_bar, a, mid_bar, b, "#222222", 1.3);
            c.Line(mid_bar - cap, a, mid_bar + cap, a, "#222222", 1.3);
            c.Line(mid_bar - cap, b, mid_bar + cap, b, "#222222", 1.3);
          }
        }
      }
    }
    // The zero line on top of the bars, so negative bars read as below it.
    if (chart.horizontal) {
      c.Line(zero, f.top, zero, f.bottom, kAxisColor, 1.2);
    } else {
      c.Line(f.left, zero, f.right, zero, kAxisColor, 1.2);
    }
  }
  const bool has_axis_label =
      chart.horizontal ? !chart.value_label.empty() : !chart.category_label.empty();
  c.Legend(legend, chart.horizontal ? f.left : 60, right_edge,
           f.bottom + 24 + (has_axis_label ? 20 : 0) + 6);
  return c.Finish();
}

// ---------------------------------------------------------------------------------------------

Histogram HistogramOf(std::span<const double> values, int bins) {
  Histogram h;
  bins = std::max(bins, 1);
  Range r;
  for (const double v : values) r.Add(v);
  if (r.empty()) return h;
  double lo = r.lo, hi = r.hi;
  if (lo == hi) {
    const double pad = lo == 0 ? 0.5 : std::fabs(lo) * 0.05;
    h.edges = {lo - pad, hi + pad};
    h.counts = {0};
    for (const double v : values) h.counts[0] += std::isfinite(v) ? 1 : 0;
    return h;
  }
  h.edges.resize(static_cast<size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) h.edges[i] = lo + (hi - lo) * i / bins;
  h.edges.back() = hi;
  h.counts.assign(static_cast<size_t>(bins), 0);
  const double width = hi - lo;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    auto b = static_cast<int64_t>(std::floor((v - lo) / width * bins));
    b = std::clamp<int64_t>(b, 0, bins - 1);
    // Floating rounding must not put a value into a bin whose edges exclude it.
    while (b > 0 && v < h.edges[b]) --b;
    while (b + 1 < bins && v >= h.edges[b + 1]) ++b;
    h.counts[b] += 1;
  }
  return h;
}

Svg RenderHistogram(const Histogram& chart) {
  SvgCanvas c(chart.width, chart.height, chart.title);
  c.Title(chart.title);
  const size_t k = chart.counts.size();
  bool valid = k > 0 && chart.edges.size() == k + 1;
  for (size_t i = 0; valid && i < chart.edges.size(); ++i) {
    if (!std::isfinite(chart.edges[i]) || (i > 0 && chart.edges[i] < chart.edges[i - 1])) {
      valid = false;
    }
  }
  Range xr, yr;
  double total = 0;
  if (valid) {
    xr.Add(chart.edges.front());
    xr.Add(chart.edges.back());
    for (const double v : chart.counts) {
      yr.Add(v);
      if (std::isfinite(v)) total += v;
    }
    for (const auto& m : chart.markers) xr.Add(m.value);
  }
  const bool empty = !valid || yr.empty() || total == 0;
  yr.Add(0);
  const Scale x_scale = empty ? NiceScale(0, 1) : NiceScale(xr.lo, xr.hi);
  const Scale y_scale = empty ? NiceScale(0, 1) : NiceScale(yr.lo, yr.hi);
  const double right_edge = c.width() - 22.0;
  Frame f{LeftMargin(y_scale, !chart.y_label.empty()), TopMargin(chart.title) + 14, right_edge,
          c.height() - BottomMargin(!chart.x_label.empty(), 0)};
  if (f.height() < 20) f.bottom = f.top + 20;
  if (empty) {
    c.NoData(f);
    return c.Finish();
  }
  const Axis xa{x_scale, f.left, f.right};
  const Axis ya{y_scale, f.bottom, f.top};
  DrawYAxis(c, f, ya, chart.y_label, true);
  DrawXAxis(c, f, xa, chart.x_label, false);
  for (size_t i = 0; i < k; ++i) {
    const double v = chart.counts[i];
    if (!std::isfinite(v) || v <= 0) continue;
    const double x0 = xa.Map(chart.edges[i]), x1 = xa.Map(chart.edges[i + 1]);
    const double y = ya.Map(v);
    c.Rect(x0, y, std::max(x1 - x0, 0.5), f.bottom - y, PaletteColor(0),
           fmt::format("[{}, {}): {}", FormatNumber(chart.edges[i]),
                       FormatNumber(chart.edges[i + 1]), FormatNumber(v, 15)),
           0.85);
  }
  for (const auto& m : chart.markers) {
    if (!std::isfinite(m.value)) continue;
    const std::string color = m.color.empty() ? std::string(kMarkerColor) : m.color;
    const double x = xa.Map(m.value);
    c.Line(x, f.top - 6, x, f.bottom, color, 2, true);
    // The label sits right of the line unless that would run off the chart.
    const bool right = x + TextWidth(m.label, 12) + 6 < c.width();
    c.Text(right ? x + 4 : x - 4, f.top - 8, m.label, 12, right ? Anchor::kStart : Anchor::kEnd,
           false, false, "marker");
  }
  return c.Finish();
}

// ---------------------------------------------------------------------------------------------

Svg RenderIntervalPlot(const IntervalPlot& chart) {
  const size_t k = chart.rows.size();
  constexpr double kRowPx = 30;
  int height = chart.height;
  if (height <= 0) {
    height = static_cast<int>(std::ceil(TopMargin(chart.title) +
                                        kRowPx * static_cast<double>(std::max<size_t>(k, 1)) +
                                        BottomMargin(!chart.x_label.empty(), 0) + 6));
  }
  SvgCanvas c(chart.width, height, chart.title);
  c.Title(chart.title);

  Range xr;
  std::vector<std::string> labels, notes;
  for (const auto& row : chart.rows) {
    xr.Add(row.estimate);
    if (std::isfinite(row.lower) && std::isfinite(row.upper)) {
      xr.Add(row.lower);
      xr.Add(row.upper);
    }
    labels.push_back(row.label);
    notes.push_back(row.note.empty() ? FormatNumber(row.estimate) + " [" + FormatNumber(row.lower) +
                                           ", " + FormatNumber(row.upper) + "]"
                                     : row.note);
  }
  const bool empty = xr.empty();
  if (chart.show_reference) xr.Add(chart.reference);
  const Scale x_scale = empty ? NiceScale(0, 1) : NiceScale(xr.lo, xr.hi);
  const double label_w = std::min(MaxTextWidth(labels, 12), 0.35 * c.width()) + 14;
  const double note_w = std::min(MaxTextWidth(notes, kTickPx), 0.3 * c.width()) + 14;
  Frame f{label_w, TopMargin(chart.title), c.width() - note_w,
          c.height() - BottomMargin(!chart.x_label.empty(), 0)};
  if (f.width() < 40) f.right = f.left + 40;
  if (f.height() < 20) f.bottom = f.top + 20;
  if (empty) {
    c.NoData(f);
    return c.Finish();
  }
  const Axis xa{x_scale, f.left, f.right};
  DrawXAxis(c, f, xa, chart.x_label, true);
  const double row_h = f.height() / static_cast<double>(k);
  for (size_t i = 0; i < k; ++i) {
    const double top = f.top + row_h * static_cast<double>(i);
    if (i % 2 == 1) c.Rect(0, top, c.width(), row_h, "#f4f6f8");
  }
  if (chart.show_reference) {
    const double x = xa.Map(chart.reference);
    c.Line(x, f.top, x, f.bottom, kReferenceColor, 1.5, true);
  }
  for (size_t i = 0; i < k; ++i) {
    const Interval& row = chart.rows[i];
    const double y = f.top + row_h * (static_cast<double>(i) + 0.5);
    c.Text(f.left - 10, y + 4, Truncate(row.label, label_w - 14, 12), 12, Anchor::kEnd, false,
           false, "row-label");
    c.Text(f.right + 10, y + 4, Truncate(notes[i], note_w - 14, kTickPx), kTickPx, Anchor::kStart,
           false, false, "row-note");
    if (!std::isfinite(row.estimate)) {
      c.Text((f.left + f.right) / 2, y + 4, kNotAvailable, 11, Anchor::kMiddle, false, false, "na");
      continue;
    }
    const bool has_ci = std::isfinite(row.lower) && std::isfinite(row.upper);
    const bool significant = has_ci && (row.lower > chart.reference || row.upper < chart.reference);
    const std::string color =
        significant || !chart.show_reference ? std::string(PaletteColor(0)) : "#555555";
    if (has_ci) {
      const double a = xa.Map(row.lower), b = xa.Map(row.upper);
      c.Line(a, y, b, y, color, 2);
      c.Line(a, y - 6, a, y + 6, color, 2);
      c.Line(b, y - 6, b, y + 6, color, 2);
    }
    c.Circle(xa.Map(row.estimate), y, 5, color, row.label + ": " + notes[i]);
  }
  return c.Finish();
}

}  // namespace upcamp::report
