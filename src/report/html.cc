#include "report/html.h"

#include <fmt/format.h>

#include "core/file_util.h"
#include "report/format.h"

namespace upcamp::report {

namespace {

constexpr std::string_view kCss = R"css(
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fff;
       margin: 0 auto; padding: 24px 28px 40px; max-width: 1320px; line-height: 1.45;
       font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #dde3ea; }
p.subtitle { color: #555; margin: 0 0 16px; }
nav.toc { margin: 12px 0 8px; font-size: 14px; }
nav.toc a { color: #0b5a91; margin-right: 14px; text-decoration: none; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { padding: 4px 12px 4px 8px; border-bottom: 1px solid #e6e9ed; text-align: left;
         vertical-align: top; }
thead th { background: #f1f4f7; border-bottom: 2px solid #cfd6de; }
tbody tr:nth-child(even) { background: #fafbfc; }
table.data td:first-child { min-width: 8em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { font-weight: normal; color: #555; white-space: nowrap; }
table.kv td { font-variant-numeric: tabular-nums; word-break: break-word; }
.note { padding: 8px 12px; margin: 10px 0; border-left: 4px solid; border-radius: 2px; }
.note.info { background: #eef5fb; border-color: #0072b2; }
.note.warning { background: #fdf6e3; border-color: #e69f00; }
.note.alert { background: #fdecea; border-color: #c0392b; font-weight: bold; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr));
          gap: 18px; margin: 10px 0 18px; }
figure { margin: 0; }
figure.wide { grid-column: 1 / -1; }
figure.wide svg { max-width: 1040px; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e6e9ed; }
figcaption { font-size: 13px; color: #555; margin-top: 4px; }
footer { margin-top: 36px; font-size: 12px; color: #777; border-top: 1px solid #e6e9ed;
         padding-top: 8px; }
@media print {
  body { padding: 0; max-width: none; font-size: 12px; }
  nav.toc { display: none; }
  h2 { break-after: avoid; }
  figure, table, .note { break-inside: avoid; }
  .charts { grid-template-columns: repeat(2, 1fr); }
}
)css";

bool LooksNumeric(const std::string& s) {
  if (s.empty() || s == kNotAvailable || s == "\u221E" || s == "\u2212\u221E") return true;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') i = 1;
  if (s.compare(i, std::string::npos, "\u221E") == 0) return true;
  bool digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' || c == 'e' || c == 'E' || c == '%' || c == '-' || c == '+') {
    } else if (s.compare(i, 3, "\u202F") == 0) {
      i += 2;  // thin space of FormatInteger (3 bytes)
    } else {
      return false;
    }
  }
  return digit;
}

void RenderTable(const DataTable& t, std::string* out) {
  const size_t nc = t.columns.size();
  std::vector<bool> numeric = t.numeric;
  if (numeric.size() != nc) {
    numeric.assign(nc, true);
    for (size_t c = 0; c < nc; ++c) {
      bool any = false;
      for (const auto& row : t.rows) {
        if (c >= row.size() || row[c].empty()) continue;
        any = true;
        if (!LooksNumeric(row[c])) {
          numeric[c] = false;
          break;
        }
      }
      if (!any) numeric[c] = false;
    }
  }
  *out += "<table class=\"data\">\n";
  if (!t.caption.empty()) *out += "<caption>" + EscapeXml(t.caption) + "</caption>\n";
  *out += "<thead><tr>";
  for (size_t c = 0; c < nc; ++c) {
    *out += numeric[c] ? "<th class=\"num\">" : "<th>";
    *out += EscapeXml(t.columns[c]) + "</th>";
  }
  *out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    *out += "<tr>";
    for (size_t c = 0; c < nc; ++c) {
      *out += numeric[c] ? "<td class=\"num\">" : "<td>";
      if (c < row.size()) *out += EscapeXml(row[c]);
      *out += "</td>";
    }
    *out += "</tr>\n";
  }
  *out += "</tbody>\n</table>\n";
}

}  // namespace

std::string_view PageCss() {
  return kCss;
}

Section& Section::AddParagraph(std::string text) {
  blocks_.push_back({Block::Kind::kParagraph, std::move(text), {}, {}, {}, {}, false});
  return *this;
}

Section& Section::AddNote(std::string text, NoteKind kind) {
  blocks_.push_back({Block::Kind::kNote, std::move(text), kind, {}, {}, {}, false});
  return *this;
}

Section& Section::AddKeyValues(KeyValues rows, std::string caption) {
  blocks_.push_back(
      {Block::Kind::kKeyValues, std::move(caption), {}, std::move(rows), {}, {}, false});
  return *this;
}

Section& Section::AddTable(DataTable table) {
  blocks_.push_back({Block::Kind::kTable, {}, {}, {}, std::move(table), {}, false});
  return *this;
}

Section& Section::AddChart(Svg chart, std::string caption, bool wide) {
  blocks_.push_back({Block::Kind::kChart, std::move(caption), {}, {}, {}, chart.markup(), wide});
  return *this;
}

void Section::Render(const std::string& anchor, std::string* out) const {
  *out += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", EscapeXml(anchor), EscapeXml(title_));
  bool in_charts = false;
  for (const Block& b : blocks_) {
    const bool chart = b.kind == Block::Kind::kChart;
    if (chart && !in_charts) *out += "<div class=\"charts\">\n";
    if (!chart && in_charts) *out += "</div>\n";
    in_charts = chart;
    switch (b.kind) {
      case Block::Kind::kParagraph:
        *out += "<p>" + EscapeXml(b.text) + "</p>\n";
        break;
      case Block::Kind::kNote: {
        static constexpr const char* kClass[] = {"info", "warning", "alert"};
        *out += fmt::format("<div class=\"note {}\">{}</div>\n", kClass[static_cast<int>(b.note)],
                            EscapeXml(b.text));
        break;
      }
      case Block::Kind::kKeyValues:
        *out += "<table class=\"kv\">\n";
        if (!b.text.empty()) *out += "<caption>" + EscapeXml(b.text) + "</caption>\n";
        *out += "<tbody>\n";
        for (const auto& [key, value] : b.key_values) {
          *out += "<tr><th>" + EscapeXml(key) + "</th><td>" + EscapeXml(value) + "</td></tr>\n";
        }
        *out += "</tbody>\n</table>\n";
        break;
      case Block::Kind::kTable:
        RenderTable(b.table, out);
        break;
      case Block::Kind::kChart:
        *out += (b.wide ? "<figure class=\"wide\">\n" : "<figure>\n") + b.svg;
        if (!b.text.empty()) *out += "<figcaption>" + EscapeXml(b.text) + "</figcaption>\n";
        *out += "</figure>\n";
        break;
    }
  }
  if (in_charts) *out += "</div>\n";
  *out += "</section>\n";
}

Section& HtmlPage::AddSection(std::string title) {
  sections_.emplace_back(std::move(title));
  return sections_.back();
}

std::string HtmlPage::Render() const {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<title>" + EscapeXml(title_) + "</title>\n<style>" + std::string(kCss) +
         "</style>\n</head>\n<body>\n<header>\n<h1>" + EscapeXml(title_) + "</h1>\n";
  if (!subtitle_.empty()) out += "<p class=\"subtitle\">" + EscapeXml(subtitle_) + "</p>\n";
  std::vector<std::string> anchors;
  for (size_t i = 0; i < sections_.size(); ++i) anchors.push_back(fmt::format("s{}", i + 1));
  if (sections_.size() >= 3) {
    out += "<nav class=\"toc\">";
    for (size_t i = 0; i < sections_.size(); ++i) {
      out += fmt::format("<a href=\"#{}\">{}</a>", anchors[i], EscapeXml(sections_[i].title()));
    }
    out += "</nav>\n";
  }
  out += "</header>\n<main>\n";
  for (size_t i = 0; i < sections_.size(); ++i) sections_[i].Render(anchors[i], &out);
  out += "</main>\n";
  if (!footer_.empty()) out += "<footer>" + EscapeXml(footer_) + "</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

Status HtmlPage::Write(const std::string& path) const {
  return WriteFileAtomic(path, Render());
}

}  // namespace upcamp::report
