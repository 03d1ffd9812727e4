// `upcamp table info|head|export|convert`: look into and convert table files (CSV and .ucol).
// Argument parsing and wiring only; the work is in src/data.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "core/hash.h"
#include "core/log.h"
#include "data/csv_reader.h"
#include "data/csv_writer.h"
#include "data/reference_schema.h"
#include "data/ucol.h"

namespace upcamp::cli {
namespace {

struct TableArgs {
  std::string file;
  std::string out;
  std::string as;  // reference table whose column types to use for CSV input
  int64_t rows = 10;
  bool json = false;
};

Status CheckAs(const std::string& as) {
  if (as.empty() || FindReferenceTable(as) != nullptr) return Status::Ok();
  return Status::Usage("--as must be a reference table ({}), got '{}'", ReferenceTableNames(), as);
}

CsvReadOptions CsvOptions(const TableArgs& a, const Context& ctx) {
  CsvReadOptions o;
  if (!a.as.empty()) o.schema = FindReferenceTable(a.as)->schema;
  o.threads = ctx.threads;
  o.progress_label = a.file;
  return o;
}

Status Print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return Status::Io("cannot write to stdout");
  }
  return Status::Ok();
}

Status RunInfo(const TableArgs& a, const GlobalOptions& g) {
  UPCAMP_RETURN_IF_ERROR(CheckAs(a.as));
  const Context ctx = g.MakeContext();
  nlohmann::ordered_json j;
  j["file"] = a.file;
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  std::string text;
  if (IsUcolPath(a.file)) {
    // The header has everything; the data is still read once to verify every checksum.
    UPCAMP_ASSIGN_OR_RETURN(UcolInfo info, InspectUcol(a.file));
    UcolReadOptions read;
    read.threads = ctx.threads;
    UPCAMP_RETURN_IF_ERROR(ReadUcol(a.file, read).status());
    j["format"] = "ucol";
    j["format_version"] = info.format_version;
    j["file_size"] = info.file_size;
    j["rows"] = info.num_rows;
    text = fmt::format("{}: .ucol format {}, {}, {} rows, {} columns (checksums verified)\n",
                       a.file, info.format_version, HumanBytes(static_cast<double>(info.file_size)),
                       info.num_rows, info.columns.size());
    text += fmt::format("  {:>3}  {:<32} {:<9} {:>12} {:>12} {:>12} {:>12}  {}\n", "#", "column",
                        "type", "missing", "distinct", "compressed", "raw", "xxh3-64");
    for (size_t i = 0; i < info.columns.size(); ++i) {
      const UcolColumnInfo& c = info.columns[i];
      const std::string distinct =
          c.type == DataType::kString ? std::to_string(c.dictionary_size) : "";
      text += fmt::format("  {:>3}  {:<32} {:<9} {:>12} {:>12} {:>12} {:>12}  {}\n", i + 1, c.name,
                          DataTypeName(c.type), c.null_count, distinct, c.compressed_size,
                          c.raw_size, Hex64(c.checksum));
      nlohmann::ordered_json col;
      col["name"] = c.name;
      col["type"] = DataTypeName(c.type);
      col["missing"] = c.null_count;
      if (c.type == DataType::kString) col["distinct"] = c.dictionary_size;
      col["compressed_size"] = c.compressed_size;
      col["raw_size"] = c.raw_size;
      col["checksum"] = Hex64(c.checksum);
      columns.push_back(col);
    }
  } else {
    UPCAMP_ASSIGN_OR_RETURN(Table t, ReadCsv(a.file, CsvOptions(a, ctx)));
    j["format"] = "csv";
    j["rows"] = t.num_rows();
    text = fmt::format("{}: CSV, {} rows, {} columns ({})\n", a.file, t.num_rows(), t.num_columns(),
                       a.as.empty() ? "types inferred" : "types of the reference table " + a.as);
    text += fmt::format("  {:>3}  {:<32} {:<9} {:>12} {:>12}\n", "#", "column", "type", "missing",
                        "distinct");
    for (size_t i = 0; i < t.num_columns(); ++i) {
      const Column& c = t.column(i);
      const std::string distinct =
          c.type() == DataType::kString ? std::to_string(c.dictionary().size()) : "";
      text += fmt::format("  {:>3}  {:<32} {:<9} {:>12} {:>12}\n", i + 1, c.name(),
                          DataTypeName(c.type()), c.NullCount(), distinct);
      nlohmann::ordered_json col;
      col["name"] = c.name();
      col["type"] = DataTypeName(c.type());
      col["missing"] = c.NullCount();
      if (c.type() == DataType::kString) col["distinct"] = c.dictionary().size();
      columns.push_back(col);
    }
  }
  j["columns"] = columns;
  return Print(a.json ? j.dump(2) + "\n" : text);
}

Status RunHead(const TableArgs& a, const GlobalOptions& g) {
  UPCAMP_RETURN_IF_ERROR(CheckAs(a.as));
  if (a.rows < 0) return Status::Usage("table head: -n must be >= 0, got {}", a.rows);
  const Context ctx = g.MakeContext();
  const auto n = static_cast<size_t>(a.rows);
  Table head;
  if (IsUcolPath(a.file)) {
    UcolReadOptions read;
    read.threads = ctx.threads;
    UPCAMP_ASSIGN_OR_RETURN(Table t, ReadUcol(a.file, read));
    head = std::move(t);
  } else {
    // Stop after the first batch that completes the rows asked for.
    std::vector<Table> parts;
    size_t have = 0;
    bool stopped = false;
    CsvReadOptions o = CsvOptions(a, ctx);
    o.progress_label.clear();
    const Status st = ReadCsvBatches(a.file, o, [&](const Table& batch) {
      parts.push_back(batch);
      have += batch.num_rows();
      if (have < n) return Status::Ok();
      stopped = true;
      return Status::Runtime("enough rows");
    });
    if (!st.ok() && !stopped) return st;
    if (parts.empty()) {  // no data rows: just the header
      UPCAMP_ASSIGN_OR_RETURN(std::vector<std::string> names, ReadCsvHeader(a.file, o.delimiter));
      std::string line;
      for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) line += ',';
        AppendCsvField(line, names[i]);
      }
      return Print(line + "\n");
    }
    UPCAMP_ASSIGN_OR_RETURN(head, Table::Concatenate(parts));
  }
  std::vector<int64_t> rows(std::min(n, head.num_rows()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  if (head.num_columns() == 0) return Print("");
  return Print(TableToCsvString(head.TakeRows(rows)));
}

Status RunExport(const TableArgs& a, const GlobalOptions& g) {
  if (!IsUcolPath(a.file)) {
    return Status::Usage(
        "table export reads a .ucol file, got '{}' (for CSV -> .ucol use `upcamp "
        "table convert`)",
        a.file);
  }
  if (IsUcolPath(a.out)) {
    return Status::Usage("table export writes CSV (.csv, .csv.gz, .csv.zst), got '{}'", a.out);
  }
  UPCAMP_RETURN_IF_ERROR(ExportUcolToCsv(a.file, a.out, {}, g.MakeContext().threads));
  spdlog::info("table export: {} -> {}", a.file, a.out);
  return Status::Ok();
}

Status RunConvert(const TableArgs& a, const GlobalOptions& g) {
  UPCAMP_RETURN_IF_ERROR(CheckAs(a.as));
  if (IsUcolPath(a.file)) {
    return Status::Usage(
        "table convert reads CSV, got '{}' (for .ucol -> CSV use `upcamp table "
        "export`)",
        a.file);
  }
  if (!IsUcolPath(a.out)) {
    return Status::Usage("table convert writes a .ucol file, got '{}'", a.out);
  }
  const Context ctx = g.MakeContext();
  UPCAMP_ASSIGN_OR_RETURN(Table t, ReadCsv(a.file, CsvOptions(a, ctx)));
  UcolWriteOptions w;
  w.threads = ctx.threads;
  UPCAMP_RETURN_IF_ERROR(WriteUcol(t, a.out, w));
  spdlog::info("table convert: {} -> {} ({} rows, {} columns)", a.file, a.out, t.num_rows(),
               t.num_columns());
  return Status::Ok();
}

using Runner = Status (*)(const TableArgs&, const GlobalOptions&);

void Bind(CLI::App* sub, CommandAction* selected, std::shared_ptr<TableArgs> args, Runner run) {
  sub->callback([selected, args, run] {
    *selected = [args, run](const GlobalOptions& g) { return run(*args, g); };
  });
}

}  // namespace

void AddTableCommand(CLI::App& app, CommandAction* selected) {
  CLI::App* cmd = app.add_subcommand("table", "Look into and convert table files (CSV, .ucol)");
  cmd->footer(
      "Table files are CSV (.csv, .csv.gz, .csv.zst) or .ucol, the binary columnar files that\n"
      "campaign stages write. See docs/data.md.");
  cmd->require_subcommand(1);
  const std::string as_help =
      "Read CSV columns with the types of this reference table (" + ReferenceTableNames() +
      "), e.g. to keep ids with leading zeros as text; default: types inferred";

  auto info = std::make_shared<TableArgs>();
  CLI::App* info_cmd = cmd->add_subcommand(
      "info", "Rows, columns, types, missing values and distinct strings of a table file");
  info_cmd->footer(
      "For .ucol also the format version, per-column compressed/raw sizes and checksums (all\n"
      "verified).");
  info_cmd->add_option("file", info->file, "A CSV or .ucol file")->required();
  info_cmd->add_option("--as", info->as, as_help);
  info_cmd->add_flag("--json", info->json, "Print JSON instead of a table");
  Bind(info_cmd, selected, info, RunInfo);

  auto head = std::make_shared<TableArgs>();
  CLI::App* head_cmd = cmd->add_subcommand(
      "head", "Print the first rows of a table file as CSV on stdout (header included).");
  head_cmd->add_option("file", head->file, "A CSV or .ucol file")->required();
  head_cmd->add_option("-n,--rows", head->rows, "Rows to print")->capture_default_str();
  head_cmd->add_option("--as", head->as, as_help);
  Bind(head_cmd, selected, head, RunHead);

  auto exp = std::make_shared<TableArgs>();
  CLI::App* export_cmd = cmd->add_subcommand("export", "Convert a .ucol file to CSV");
  export_cmd->footer(
      "Compressed when --out ends in .gz or .zst. Values round-trip: floats are written as the\n"
      "shortest text that reads back to the same number.");
  export_cmd->add_option("file", exp->file, "The .ucol file")->required();
  export_cmd->add_option("--out", exp->out, "Output CSV (.csv, .csv.gz or .csv.zst)")->required();
  Bind(export_cmd, selected, exp, RunExport);

  auto conv = std::make_shared<TableArgs>();
  CLI::App* convert_cmd = cmd->add_subcommand(
      "convert", "Convert a CSV file (.csv, .csv.gz, .csv.zst) to a .ucol file.");
  convert_cmd->add_option("file", conv->file, "The CSV file")->required();
  convert_cmd->add_option("--out", conv->out, "Output .ucol file")->required();
  convert_cmd->add_option("--as", conv->as, as_help);
  Bind(convert_cmd, selected, conv, RunConvert);
}

}  // namespace upcamp::cli
