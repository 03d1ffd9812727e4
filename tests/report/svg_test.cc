#include "report/svg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report_testing.h"
#include "testing.h"

namespace upcamp::report {
namespace {

using testing::InsideViewBox;
using testing::ParseXml;
using testing::PathPointCounts;
using testing::TextsOfClass;
using testing::XmlElement;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kEvil = R"(a<b & "c" 'd' </svg>)";

XmlElement Parse(const Svg& svg) {
  auto r = ParseXml(svg.markup());
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << svg.markup();
  return r.ok() ? std::move(r).value() : XmlElement{};
}

std::string TitleOf(const XmlElement& svg) {
  for (const auto& c : svg.children) {
    if (c.name == "title") return c.text;
  }
  return "";
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

LineChart QiniLike() {
  LineChart c;
  c.title = "Qini curve";
  c.x_label = "clients targeted";
  c.y_label = "incremental responders";
  Series model{"model", {0, 100, 200, 300}, {0, 12, 18, 15}, false, ""};
  Series random{"random", {0, 300}, {0, 15}, true, std::string(kReferenceColor)};
  Series perfect{"perfect", {0, 50, 300}, {0, 40, 15}, true, "#444444"};
  c.series = {model, random, perfect};
  return c;
}

TEST(ReportSvg, LineChartHasTitleAxesLegendAndLines) {
  const Svg svg = RenderLineChart(QiniLike());
  const XmlElement root = Parse(svg);
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(*root.Attr("xmlns"), "http://www.w3.org/2000/svg");
  EXPECT_EQ(TitleOf(root), "Qini curve");
  EXPECT_EQ(TextsOfClass(root, "axis-label"),
            (std::vector<std::string>{"incremental responders", "clients targeted"}));
  EXPECT_EQ(TextsOfClass(root, "legend"), (std::vector<std::string>{"model", "random", "perfect"}));
  EXPECT_EQ(PathPointCounts(root), (std::vector<size_t>{4, 2, 3}));
  EXPECT_TRUE(InsideViewBox(root));
  // Dashed reference series, solid model.
  const auto paths = root.FindAll("path");
  EXPECT_EQ(paths[0]->Attr("stroke-dasharray"), nullptr);
  EXPECT_NE(paths[1]->Attr("stroke-dasharray"), nullptr);
  EXPECT_EQ(*paths[1]->Attr("stroke"), std::string(kReferenceColor));
  // Ticks at nice numbers.
  const auto ticks = TextsOfClass(root, "tick");
  EXPECT_TRUE(Contains(ticks, "0")) << ::testing::PrintToString(ticks);
  EXPECT_TRUE(Contains(ticks, "300")) << ::testing::PrintToString(ticks);
  EXPECT_TRUE(Contains(ticks, "40")) << ::testing::PrintToString(ticks);
}

TEST(ReportSvg, LineChartMapsValuesToTheRightPlaces) {
  // The model's peak (200, 18) must be above (smaller y) its start (0, 0) and right of it.
  const XmlElement root = Parse(RenderLineChart(QiniLike()));
  const std::string d = *root.FindAll("path")[0]->Attr("d");
  double x0, y0, x1, y1, x2, y2;
  ASSERT_EQ(std::sscanf(d.c_str(), "M%lf %lf L%lf %lf L%lf %lf", &x0, &y0, &x1, &y1, &x2, &y2), 6);
  EXPECT_LT(x0, x1);
  EXPECT_LT(x1, x2);
  EXPECT_GT(y0, y1);
  EXPECT_GT(y1, y2);
  // Equal data steps map to equal pixel steps (linear axis).
  EXPECT_NEAR(x1 - x0, x2 - x1, 0.11);
}

TEST(ReportSvg, EveryTextIsEscaped) {
  LineChart line = QiniLike();
  line.title = kEvil;
  line.x_label = kEvil;
  line.y_label = kEvil;
  line.series[0].name = kEvil;
  line.series[0].color = "red\" onload=\"x";
  BarChart bars{kEvil, kEvil, kEvil, {kEvil, "b"}, {{kEvil, {1, 2}, {}, {}, ""}}, false, 640, 0};
  Histogram hist = HistogramOf(std::vector<double>{1, 2, 3}, 3);
  hist.title = hist.x_label = hist.y_label = kEvil;
  hist.markers = {{2, kEvil, ""}};
  IntervalPlot forest{kEvil, kEvil, {{kEvil, 1, 0, 2, kEvil}}, 0, true, 640, 0};
  for (const Svg& svg : {RenderLineChart(line), RenderBarChart(bars), RenderHistogram(hist),
                         RenderIntervalPlot(forest)}) {
    const XmlElement root = Parse(svg);
    EXPECT_EQ(root.name, "svg");
    // The raw string never appears; its escaped text does, and parses back to the original.
    EXPECT_EQ(svg.markup().find("<b &"), std::string::npos);
    EXPECT_EQ(svg.markup().find("</svg>"), svg.markup().rfind("</svg>"));
    EXPECT_EQ(TitleOf(root), kEvil);
    EXPECT_NE(svg.markup().find("a&lt;b &amp; &quot;c&quot; &#39;d&#39;"), std::string::npos);
    EXPECT_EQ(root.FindAll("svg").size(), 1u);
    EXPECT_EQ(svg.markup().find("onload=\"x"), std::string::npos);
  }
}

TEST(ReportSvg, LargeSeriesAreDownsampledKeepingEndsAndPeak) {
  const size_t n = 400000;
  Series s{"model", std::vector<double>(n), std::vector<double>(n), false, ""};
  for (size_t i = 0; i < n; ++i) {
    s.x[i] = static_cast<double>(i + 1);
    s.y[i] = std::sqrt(static_cast<double>(i));
  }
  s.y[n / 3] = 2000;  // a one-point spike must stay visible
  LineChart c;
  c.title = "big";
  c.series = {s};
  const Svg svg = RenderLineChart(c);
  EXPECT_LT(svg.markup().size(), 40000u);
  const XmlElement root = Parse(svg);
  const auto counts = PathPointCounts(root);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_LE(counts[0], 1000u);
  EXPECT_GE(counts[0], 500u);
  EXPECT_TRUE(InsideViewBox(root));
  // The y axis reaches the spike: its top tick is >= 2000.
  const auto ticks = TextsOfClass(root, "tick");
  EXPECT_TRUE(Contains(ticks, "2000")) << ::testing::PrintToString(ticks);
  // The path starts at the first x and ends at the last (the frame's left and right ends).
  const std::string d = *root.FindAll("path")[0]->Attr("d");
  double first_x = std::strtod(d.c_str() + 1, nullptr);
  const double last_x = std::strtod(d.c_str() + d.rfind('L') + 1, nullptr);
  EXPECT_LT(first_x, 100);
  EXPECT_GT(last_x, 560);
}

TEST(ReportSvg, EmptyAndDegenerateInputsShowNoDataOrAPoint) {
  LineChart empty;
  empty.title = "nothing";
  const XmlElement e1 = Parse(RenderLineChart(empty));
  EXPECT_EQ(TextsOfClass(e1, "no-data"), std::vector<std::string>{"no data"});
  EXPECT_EQ(TitleOf(e1), "nothing");

  LineChart nan;
  nan.series = {{"s", {kNaN, 1}, {1, kNaN}, false, ""}};
  EXPECT_EQ(TextsOfClass(Parse(RenderLineChart(nan)), "no-data").size(), 1u);

  LineChart single;
  single.series = {{"one", {5}, {7}, false, ""}};
  const XmlElement e3 = Parse(RenderLineChart(single));
  EXPECT_TRUE(TextsOfClass(e3, "no-data").empty());
  EXPECT_EQ(e3.FindAll("circle").size(), 1u);
  EXPECT_TRUE(InsideViewBox(e3));

  // Mismatched lengths use the shorter one; a NaN in the middle is skipped.
  LineChart ragged;
  ragged.series = {{"r", {0, 1, 2, 3}, {0, kNaN, 2}, false, ""}};
  EXPECT_EQ(PathPointCounts(Parse(RenderLineChart(ragged))), std::vector<size_t>{2});

  BarChart bars;
  bars.categories = {"a", "b"};
  EXPECT_EQ(TextsOfClass(Parse(RenderBarChart(bars)), "no-data").size(), 1u);
  bars.series = {{"s", {kNaN, kNaN}, {}, {}, ""}};
  EXPECT_EQ(TextsOfClass(Parse(RenderBarChart(bars)), "no-data").size(), 1u);

  Histogram hist = HistogramOf(std::vector<double>{kNaN}, 10);
  EXPECT_TRUE(hist.edges.empty());
  EXPECT_EQ(TextsOfClass(Parse(RenderHistogram(hist)), "no-data").size(), 1u);
  Histogram bad;
  bad.edges = {0, 1};
  bad.counts = {1, 2};  // one edge short
  EXPECT_EQ(TextsOfClass(Parse(RenderHistogram(bad)), "no-data").size(), 1u);

  IntervalPlot forest;
  EXPECT_EQ(TextsOfClass(Parse(RenderIntervalPlot(forest)), "no-data").size(), 1u);
  forest.rows = {{"undefined", kNaN, kNaN, kNaN, ""}};
  EXPECT_EQ(TextsOfClass(Parse(RenderIntervalPlot(forest)), "no-data").size(), 1u);
}

TEST(ReportSvg, BarChartWithNegativeValuesAndErrorBars) {
  BarChart c;
  c.title = "Uplift by decile";
  c.category_label = "decile";
  c.value_label = "uplift";
  c.categories = {"0-10", "10-20", "20-30", "30-40"};
  c.series = {
      {"uplift", {0.05, 0.02, kNaN, -0.03}, {0.03, 0.0, kNaN, -0.06}, {0.07, 0.04, kNaN, 0.0}, ""}};
  const XmlElement root = Parse(RenderBarChart(c));
  EXPECT_TRUE(InsideViewBox(root));
  EXPECT_EQ(TextsOfClass(root, "tick").size() >= 4, true);
  EXPECT_EQ(TextsOfClass(root, "na"), std::vector<std::string>{"n/a"});
  EXPECT_EQ(TextsOfClass(root, "axis-label"), (std::vector<std::string>{"uplift", "decile"}));
  // Three drawn bars (one rect is the background), each with a tooltip.
  std::vector<const XmlElement*> bars;
  for (const XmlElement* r : root.FindAll("rect")) {
    if (!r->children.empty()) bars.push_back(r);
  }
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(bars[0]->children[0].text, "uplift, 0-10: 0.05 [0.03, 0.07]");
  // The negative bar starts at the zero line, where the positive ones end.
  const double pos_bottom = std::stod(*bars[0]->Attr("y")) + std::stod(*bars[0]->Attr("height"));
  const double neg_top = std::stod(*bars[2]->Attr("y"));
  EXPECT_NEAR(pos_bottom, neg_top, 0.11);
  // Taller bar for the larger value.
  EXPECT_GT(std::stod(*bars[0]->Attr("height")), std::stod(*bars[1]->Attr("height")));
  // Three error bars of three lines each, in black.
  size_t dark = 0;
  for (const XmlElement* l : root.FindAll("line")) dark += *l->Attr("stroke") == "#222222";
  EXPECT_EQ(dark, 9u);
  // No legend for a single series.
  EXPECT_TRUE(TextsOfClass(root, "legend").empty());
}

TEST(ReportSvg, GroupedAndHorizontalBars) {
  BarChart c;
  c.title = "Feature importance";
  c.value_label = "gain";
  c.horizontal = true;
  for (int i = 0; i < 30; ++i)
    c.categories.push_back("feature_with_a_really_long_name_from_the_reference_calcers_" +
                           std::to_string(i));
  c.series = {{"gain", {}, {}, {}, ""}, {"cover", {}, {}, {}, ""}};
  for (int i = 0; i < 30; ++i) {
    c.series[0].values.push_back(30 - i);
    c.series[1].values.push_back(i);
  }
  const Svg svg = RenderBarChart(c);
  const XmlElement root = Parse(svg);
  EXPECT_TRUE(InsideViewBox(root));
  EXPECT_EQ(TextsOfClass(root, "legend"), (std::vector<std::string>{"gain", "cover"}));
  EXPECT_GT(std::stoi(*root.Attr("height")), 30 * 20);  // automatic height by rows
  // Long names are shortened, the full one stays in the tooltip.
  const auto ticks = TextsOfClass(root, "tick");
  EXPECT_TRUE(std::any_of(ticks.begin(), ticks.end(),
                          [](const std::string& t) { return t.ends_with("\u2026"); }));
  EXPECT_NE(
      svg.markup().find("gain, feature_with_a_really_long_name_from_the_reference_calcers_7: 23"),
      std::string::npos);
}

TEST(ReportSvg, HistogramBinsAndMarker) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(i / 1000.0);
  v.push_back(kNaN);
  Histogram h = HistogramOf(v, 10);
  ASSERT_EQ(h.counts.size(), 10u);
  ASSERT_EQ(h.edges.size(), 11u);
  EXPECT_EQ(h.edges.front(), 0);
  EXPECT_EQ(h.edges.back(), 0.999);
  double total = 0;
  for (const double c : h.counts) total += c;
  EXPECT_EQ(total, 1000);  // the NaN is left out, the maximum is in the last bin
  for (const double c : h.counts) EXPECT_EQ(c, 100);
  // Every value lies within its bin's edges (checked by re-binning by hand).
  const Histogram same = HistogramOf(std::vector<double>{2, 2, 2}, 5);
  ASSERT_EQ(same.counts, std::vector<double>{3});
  EXPECT_LT(same.edges[0], 2);
  EXPECT_GT(same.edges[1], 2);

  h.title = "Scores";
  h.x_label = "score";
  h.markers = {{1.5, "threshold 1.5", ""}};  // outside the data: the range widens to show it
  const XmlElement root = Parse(RenderHistogram(h));
  EXPECT_TRUE(InsideViewBox(root));
  EXPECT_EQ(TextsOfClass(root, "marker"), std::vector<std::string>{"threshold 1.5"});
  const auto ticks = TextsOfClass(root, "tick");
  EXPECT_TRUE(Contains(ticks, "1.5") || Contains(ticks, "1.6") || Contains(ticks, "2.0"))
      << ::testing::PrintToString(ticks);
  size_t dashed_markers = 0;
  for (const XmlElement* l : root.FindAll("line")) {
    dashed_markers += *l->Attr("stroke") == std::string(kMarkerColor);
  }
  EXPECT_EQ(dashed_markers, 1u);
}

TEST(ReportSvg, IntervalPlotRowsZeroLineAndSignificance) {
  IntervalPlot p;
  p.title = "Effects";
  p.x_label = "difference in mean outcome";
  p.rows = {{"targeted offer vs control", 0.8, 0.4, 1.2, ""},
            {"no offer vs control", 0.05, -0.2, 0.3, ""},
            {"random target vs control", 0.5, kNaN, kNaN, "no CI"},
            {"undefined", kNaN, kNaN, kNaN, ""}};
  const XmlElement root = Parse(RenderIntervalPlot(p));
  EXPECT_TRUE(InsideViewBox(root));
  EXPECT_EQ(TextsOfClass(root, "row-label").size(), 4u);
  EXPECT_EQ(TextsOfClass(root, "row-note")[0], "0.8 [0.4, 1.2]");
  EXPECT_EQ(TextsOfClass(root, "row-note")[2], "no CI");
  EXPECT_EQ(TextsOfClass(root, "na"), std::vector<std::string>{"n/a"});
  const auto circles = root.FindAll("circle");
  ASSERT_EQ(circles.size(), 3u);
  EXPECT_EQ(*circles[0]->Attr("fill"), std::string(PaletteColor(0)));  // excludes zero
  EXPECT_EQ(*circles[1]->Attr("fill"), "#555555");                     // includes zero
  // The zero line is dashed and lies between the second row's whisker ends.
  const XmlElement* zero = nullptr;
  for (const XmlElement* l : root.FindAll("line")) {
    if (*l->Attr("stroke") == std::string(kReferenceColor)) zero = l;
  }
  ASSERT_NE(zero, nullptr);
  const double zx = std::stod(*zero->Attr("x1"));
  EXPECT_LT(zx, std::stod(*circles[0]->Attr("cx")));
  EXPECT_LT(std::stod(*circles[1]->Attr("cx")) - 20, zx);
}

TEST(ReportSvg, Deterministic) {
  std::vector<double> v(50000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i));
  LineChart c = QiniLike();
  c.series.push_back({"sine", std::vector<double>(v.size()), v, false, ""});
  for (size_t i = 0; i < v.size(); ++i) c.series.back().x[i] = static_cast<double>(i) / 100;
  EXPECT_EQ(RenderLineChart(c).markup(), RenderLineChart(c).markup());
  Histogram h = HistogramOf(v, 30);
  EXPECT_EQ(RenderHistogram(h).markup(), RenderHistogram(HistogramOf(v, 30)).markup());
}

}  // namespace
}  // namespace upcamp::report
