#pragma once
// A self-contained HTML page: title, sections with paragraphs, notes, key–value tables, data
// tables and inline SVG charts (report/svg.h). One file with inline CSS — no external resources,
// no JavaScript, readable on screen and printable. The markup is also well-formed XML (void
// elements are self-closed), which the tests rely on to check its structure.
//
//   HtmlPage page("Training report");
//   page.set_subtitle("t_learner on train.csv");
//   Section& s = page.AddSection("Validation metrics");
//   s.AddKeyValues({{"qini_auc", "0.213"}, {"uplift@30%", "0.041"}});
//   s.AddChart(RenderLineChart(qini));
//   UPCAMP_RETURN_IF_ERROR(page.Write(out_dir + "/report.html"));
//
// All text is escaped; the page's bytes depend only on what was added (no clock, no locale), so
// the caller decides whether a timestamp appears (e.g. in the footer).

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "report/svg.h"

namespace upcamp::report {

/// A table of strings. Rows shorter than `columns` are padded with empty cells, longer ones cut.
struct DataTable {
  std::string caption;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  /// Per column: right-aligned (numbers). Empty = decided per column: right-aligned when every
  /// non-empty cell looks like a number ("-1.5", "12 345", "12.3%", "n/a", "∞").
  std::vector<bool> numeric;
};

/// Key–value rows (e.g. the config, the validation metrics).
using KeyValues = std::vector<std::pair<std::string, std::string>>;

enum class NoteKind {
  kInfo,     ///< blue: context ("scores are validation-set scores")
  kWarning,  ///< amber: something to look at ("3 clients without a score")
  kAlert,    ///< red: a result not to be trusted as is (sample ratio mismatch)
};

/// One titled part of a page; blocks appear in the order they were added.
class Section {
 public:
  explicit Section(std::string title) : title_(std::move(title)) {}

  Section& AddParagraph(std::string text);
  Section& AddNote(std::string text, NoteKind kind = NoteKind::kInfo);
  Section& AddKeyValues(KeyValues rows, std::string caption = {});
  Section& AddTable(DataTable table);
  /// Consecutive charts share a responsive grid (two side by side on a wide screen, one per
  /// row when narrow). A `wide` chart takes a whole row (forest plots, long bar lists). The
  /// caption, if any, goes under the chart.
  Section& AddChart(Svg chart, std::string caption = {}, bool wide = false);

  const std::string& title() const { return title_; }
  /// Appends the section's HTML; `anchor` is its id for the page's table of contents.
  void Render(const std::string& anchor, std::string* out) const;

 private:
  struct Block {
    enum class Kind { kParagraph, kNote, kKeyValues, kTable, kChart } kind;
    std::string text;  // paragraph, note, caption
    NoteKind note = NoteKind::kInfo;
    KeyValues key_values;
    DataTable table;
    std::string svg;
    bool wide = false;
  };
  std::string title_;
  std::vector<Block> blocks_;
};

class HtmlPage {
 public:
  explicit HtmlPage(std::string title) : title_(std::move(title)) {}

  /// A line under the title (what, when, from which inputs).
  void set_subtitle(std::string text) { subtitle_ = std::move(text); }
  /// Small print at the bottom (tool version, command line).
  void set_footer(std::string text) { footer_ = std::move(text); }

  /// A new section at the end of the page. The reference stays valid while the page lives.
  Section& AddSection(std::string title);

  /// The whole document: <!DOCTYPE html>, UTF-8, inline CSS, a table of contents when there are
  /// three or more sections.
  std::string Render() const;

  /// Renders and writes to `path` atomically (core/file_util.h): a crash leaves the old file or
  /// the new one, never half a page. I/O error naming the path if the folder is missing.
  Status Write(const std::string& path) const;

 private:
  std::string title_, subtitle_, footer_;
  std::deque<Section> sections_;  // deque: AddSection keeps earlier references valid
};

/// The inline style sheet of every page (exposed for tests and for callers that assemble pages
/// themselves).
std::string_view PageCss();

}  // namespace upcamp::report
