#include "report/html.h"

#include <gtest/gtest.h>

#include "report_testing.h"
#include "testing.h"

namespace upcamp::report {
namespace {

using testing::ParseXml;
using testing::TempDir;
using testing::XmlElement;

const std::string kEvil = R"(x<y & "z" 'w' </table><script>)";

HtmlPage SamplePage() {
  HtmlPage page("Report of " + kEvil);
  page.set_subtitle(kEvil);
  page.set_footer("upcamp 0.1.0");
  Section& a = page.AddSection("Summary");
  a.AddParagraph(kEvil).AddKeyValues({{"model", "t_learner"}, {kEvil, kEvil}}, "Config");
  a.AddNote("sample ratio mismatch", NoteKind::kAlert);
  Section& b = page.AddSection("Tables");
  b.AddTable({"Groups",
              {"group", "clients", "share"},
              {{"control", "1\u202F000", "10.0%"},
               {"targeted", "9\u202F000", "90.0%"},
               {kEvil, "n/a"}},  // short row: padded
              {}});
  Section& c = page.AddSection("Charts");
  LineChart chart;
  chart.title = "curve";
  chart.series = {{"s", {0, 1}, {0, 1}, false, ""}};
  c.AddChart(RenderLineChart(chart), "caption");
  c.AddChart(RenderLineChart(chart));
  c.AddParagraph("after the charts");
  return page;
}

TEST(ReportHtml, PageIsWellFormedAndSelfContained) {
  const std::string html = SamplePage().Render();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  auto parsed = ParseXml(html);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const XmlElement& root = parsed.value();
  EXPECT_EQ(root.name, "html");
  EXPECT_EQ(root.FindAll("svg").size(), 2u);
  EXPECT_EQ(root.FindAll("section").size(), 3u);
  EXPECT_EQ(root.FindAll("style").size(), 1u);
  // No external resources and no scripts.
  EXPECT_TRUE(root.FindAll("script").empty());
  EXPECT_TRUE(root.FindAll("link").empty());
  EXPECT_TRUE(root.FindAll("img").empty());
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // The table of contents links every section.
  const auto links = root.FindAll("a");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(*links[2]->Attr("href"), "#s3");
  EXPECT_EQ(links[2]->text, "Charts");
  // Both charts share one grid, closed before the following paragraph.
  const auto grids = root.FindAll("div");
  size_t chart_grids = 0;
  for (const XmlElement* d : grids) {
    if (*d->Attr("class") == "charts") {
      ++chart_grids;
      EXPECT_EQ(d->children.size(), 2u);
    }
  }
  EXPECT_EQ(chart_grids, 1u);
  EXPECT_EQ(root.FindAll("figcaption").size(), 1u);
}

TEST(ReportHtml, TextIsEscapedEverywhere) {
  const std::string html = SamplePage().Render();
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find(kEvil), std::string::npos);
  auto parsed = ParseXml(html);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->FindAll("title")[0]->text, "Report of " + kEvil);
  EXPECT_EQ(parsed->FindAll("h1")[0]->text, "Report of " + kEvil);
  EXPECT_EQ(parsed->FindAll("table").size(), 2u);
  EXPECT_EQ(parsed->FindAll("td")[1]->text, kEvil);  // the key–value table's value
}

TEST(ReportHtml, TablesAlignNumbersAndPadShortRows) {
  auto parsed = ParseXml(SamplePage().Render());
  ASSERT_TRUE(parsed.ok());
  const XmlElement* table = parsed->FindAll("table")[1];
  const auto th = table->FindAll("th");
  ASSERT_EQ(th.size(), 3u);
  EXPECT_EQ(th[0]->Attr("class"), nullptr);  // names: left
  EXPECT_EQ(*th[1]->Attr("class"), "num");   // counts with thin spaces, "n/a": right
  EXPECT_EQ(*th[2]->Attr("class"), "num");   // percentages: right
  const auto rows = table->FindAll("tr");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3]->children.size(), 3u);  // padded to the column count
  EXPECT_EQ(table->FindAll("caption")[0]->text, "Groups");
}

TEST(ReportHtml, WriteIsAtomicAndDeterministic) {
  TempDir dir;
  const std::string path = dir.File("report.html");
  ASSERT_OK(SamplePage().Write(path));
  EXPECT_EQ(testing::ReadAll(path), SamplePage().Render());
  EXPECT_EQ(testing::ListDir(dir.path()), std::vector<std::string>{"report.html"});
  const Status missing = SamplePage().Write(dir.File("no/such/dir/report.html"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kIo);
  EXPECT_NE(missing.message().find("no/such/dir"), std::string::npos);
}

TEST(ReportHtml, FewSectionsHaveNoTableOfContents) {
  HtmlPage page("small");
  page.AddSection("only");
  EXPECT_EQ(page.Render().find("<nav"), std::string::npos);
  // An empty page is still a valid document.
  EXPECT_TRUE(ParseXml(HtmlPage("").Render()).ok());
}

}  // namespace
}  // namespace upcamp::report
