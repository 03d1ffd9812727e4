#include "flow/flow_testing.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/file_util.h"
#include "core/hash.h"
#include "data/table.h"
#include "data/ucol.h"
#include "testing.h"

namespace upcamp::flow::testing {
namespace {

Status MaybeMisbehave(const ChainConfig& c, const std::string& stage) {
  if (c.calls != nullptr) c.calls->fetch_add(1);
  if (c.throw_stage == stage) throw std::runtime_error("synthetic exception in " + stage);
  if (c.fail_stage == stage) return Status::Data("synthetic failure in {}", stage);
  return Status::Ok();
}

}  // namespace

std::vector<StageSpec> MakeChain(const ChainConfig& c) {
  std::vector<StageSpec> stages;

  StageSpec generate;
  generate.name = "generate";
  generate.code_version = "generate-v1";
  generate.params = {{"n", c.n}, {"seed", c.seed}};
  generate.external_files = {{c.base_file, false}};
  generate.run = [c](StageContext& ctx) -> Status {
    UPCAMP_RETURN_IF_ERROR(MaybeMisbehave(c, "generate"));
    UPCAMP_ASSIGN_OR_RETURN(std::string base, ReadFileToString(c.base_file));
    const int64_t offset = std::stoll(base);
    std::string csv = "i,value\n";
    for (int i = 0; i < c.n; ++i) {
      const int64_t v = static_cast<int64_t>(MixSeed(c.seed, static_cast<uint64_t>(i)) % 1000);
      csv += fmt::format("{},{}\n", i, v + offset);
    }
    ctx.SetRows(c.n);
    return WriteFileAtomic(ctx.OutputPath("numbers.csv"), csv);
  };
  stages.push_back(generate);

  StageSpec square;
  square.name = "square";
  square.code_version = "square-v1";
  square.inputs = {"generate"};
  square.params = {{"power", c.power}};
  square.run = [c](StageContext& ctx) -> Status {
    UPCAMP_RETURN_IF_ERROR(MaybeMisbehave(c, "square"));
    UPCAMP_ASSIGN_OR_RETURN(std::string path, ctx.InputPath("generate", "numbers.csv"));
    UPCAMP_ASSIGN_OR_RETURN(std::string csv, ReadFileToString(path));
    std::vector<int64_t> ids, values;
    size_t pos = csv.find('\n') + 1;
    while (pos < csv.size()) {
      const size_t comma = csv.find(',', pos), nl = csv.find('\n', pos);
      ids.push_back(std::stoll(csv.substr(pos, comma - pos)));
      int64_t v = std::stoll(csv.substr(comma + 1, nl - comma - 1)), p = 1;
      for (int k = 0; k < ctx.params().at("power").get<int>(); ++k) p *= v;
      values.push_back(p);
      pos = nl + 1;
    }
    ctx.SetRows(static_cast<int64_t>(ids.size()));
    UPCAMP_ASSIGN_OR_RETURN(Table t, Table::Make({Column::Int64("i", std::move(ids)),
                                                  Column::Int64("value", std::move(values))}));
    return WriteUcol(t, ctx.OutputPath("squares.ucol"));
  };
  stages.push_back(square);

  StageSpec total;
  total.name = "total";
  total.code_version = c.total_code_version;
  total.inputs = {"square"};
  total.run = [c](StageContext& ctx) -> Status {
    UPCAMP_RETURN_IF_ERROR(MaybeMisbehave(c, "total"));
    UPCAMP_ASSIGN_OR_RETURN(std::string path, ctx.InputPath("square", "squares.ucol"));
    UPCAMP_ASSIGN_OR_RETURN(Table t, ReadUcol(path));
    int64_t sum = 0;
    for (int64_t v : t.column(1).int64s()) sum += v;
    ctx.SetRows(1);
    return WriteFileAtomic(ctx.OutputPath("total.json"), fmt::format("{{\"sum\": {}}}\n", sum));
  };
  stages.push_back(total);

  StageSpec report;
  report.name = "report";
  report.code_version = "report-v1";
  report.inputs = {"generate", "total"};
  report.params = {{"title", c.report_title}};
  report.run = [c](StageContext& ctx) -> Status {
    UPCAMP_RETURN_IF_ERROR(MaybeMisbehave(c, "report"));
    UPCAMP_ASSIGN_OR_RETURN(std::string numbers_path, ctx.InputPath("generate", "numbers.csv"));
    UPCAMP_ASSIGN_OR_RETURN(std::string total_path, ctx.InputPath("total", "total.json"));
    UPCAMP_ASSIGN_OR_RETURN(std::string numbers, ReadFileToString(numbers_path));
    UPCAMP_ASSIGN_OR_RETURN(std::string total_json, ReadFileToString(total_path));
    const auto lines = std::count(numbers.begin(), numbers.end(), '\n');
    UPCAMP_RETURN_IF_ERROR(MakeDirectories(ctx.OutputPath("detail")));
    UPCAMP_RETURN_IF_ERROR(
        WriteFileAtomic(ctx.OutputPath("detail/lines.txt"), fmt::format("{}\n", lines)));
    ctx.SetRows(2);
    return WriteFileAtomic(
        ctx.OutputPath("report.txt"),
        fmt::format("{}\n{}", ctx.params().at("title").get<std::string>(), total_json));
  };
  stages.push_back(report);
  return stages;
}

std::vector<std::pair<std::string, std::string>> ReadAllOutputs(const std::string& runs_dir,
                                                                const std::string& run_id) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> out;
  const std::string stages_dir = RunDir(runs_dir, run_id) + "/stages";
  for (const auto& name : ChainStageNames()) {
    const std::string dir = stages_dir + "/" + name;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      out.emplace_back(name + "/" + e.path().lexically_relative(dir).generic_string(),
                       upcamp::testing::ReadAll(e.path().string()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace upcamp::flow::testing
