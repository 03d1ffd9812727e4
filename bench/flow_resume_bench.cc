// flow_resume_bench [--rows N] [--stages K] [--repeat R] [--dir DIR]
//
// The cost of resuming a fully finished run (every stage restored): a chain of K stages, each
// writing a .ucol table of N rows x 6 columns (int64 ids, float64 scores, a string group: the
// shape of a campaign's per-client stage results), is computed once; then RunFlow is called R
// times on the same run id and the median wall time is printed, with checksum verification on
// (the default: every output byte is re-hashed) and off (sizes only). The last line is
// `key=value` pairs for scripts.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/log.h"
#include "data/table.h"
#include "data/ucol.h"
#include "flow/run.h"

namespace {

using upcamp::Column;
using upcamp::Status;
using upcamp::Table;
using upcamp::flow::RunFlow;
using upcamp::flow::RunOptions;
using upcamp::flow::StageContext;
using upcamp::flow::StageSpec;

// One stage's table: deterministic in (stage, row), incompressible enough to be realistic.
Table StageTable(int stage, int64_t rows) {
  std::vector<int64_t> id(rows), bucket(rows);
  std::vector<double> a(rows), b(rows), c(rows);
  std::vector<std::string> groups = {"control", "random_target", "targeted"};
  std::vector<int32_t> group(rows);
  for (int64_t i = 0; i < rows; ++i) {
    const uint64_t h = upcamp::MixSeed(static_cast<uint64_t>(stage), static_cast<uint64_t>(i));
    id[i] = i;
    bucket[i] = static_cast<int64_t>(h % 100);
    a[i] = upcamp::UnitInterval(h);
    b[i] = upcamp::UnitInterval(upcamp::MixSeed(h, 1)) - 0.5;
    c[i] = static_cast<double>(h % 10000) / 100.0;
    group[i] = static_cast<int32_t>(h % 3);
  }
  std::vector<Column> cols;
  cols.push_back(Column::Int64("client", std::move(id)));
  cols.push_back(Column::Int64("bucket", std::move(bucket)));
  cols.push_back(Column::Float64("score", std::move(a)));
  cols.push_back(Column::Float64("uplift", std::move(b)));
  cols.push_back(Column::Float64("sum", std::move(c)));
  auto dictionary = std::make_shared<upcamp::StringDictionary>();
  for (const auto& g : groups) dictionary->GetOrAdd(g);
  cols.push_back(Column::String("group", std::move(group), std::move(dictionary)));
  return Table::Make(std::move(cols)).value();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 400000;
  int stages = 6, repeat = 9;
  std::string dir = "/tmp/upcamp-flow-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows"))
      rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--stages"))
      stages = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeat"))
      repeat = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
  }
  upcamp::InitLogging(/*quiet=*/true);
  std::filesystem::remove_all(dir);

  std::vector<StageSpec> flow;
  for (int s = 0; s < stages; ++s) {
    StageSpec spec;
    spec.name = "stage" + std::to_string(s);
    spec.code_version = "v1";
    if (s > 0) spec.inputs = {"stage" + std::to_string(s - 1)};
    spec.params = {{"rows", rows}};
    spec.run = [s, rows](StageContext& ctx) -> Status {
      ctx.SetRows(rows);
      return upcamp::WriteUcol(StageTable(s, rows), ctx.OutputPath("table.ucol"));
    };
    flow.push_back(std::move(spec));
  }
  RunOptions options;
  options.runs_dir = dir;
  options.run_id = "bench";

  auto t0 = std::chrono::steady_clock::now();
  auto first = RunFlow(options, flow);
  if (!first.ok()) {
    std::fprintf(stderr, "%s\n", first.status().ToString().c_str());
    return 1;
  }
  const double compute_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t bytes = 0;
  for (const auto& s : first->stages) bytes += s.bytes;

  auto time_resumes = [&](bool verify) {
    options.verify_checksums = verify;
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
      const auto t = std::chrono::steady_clock::now();
      auto res = RunFlow(options, flow);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
      if (!res.ok() || res->Count(upcamp::flow::StageOutcome::Action::kRestored) != stages) {
        std::fprintf(stderr, "resume did not restore every stage\n");
        std::exit(1);
      }
    }
    return times;
  };
  const auto verified = time_resumes(true);
  const auto sizes_only = time_resumes(false);
  std::printf("flow: %d stages x %lld rows, %.1f MB of outputs; first run %.2f s\n", stages,
              static_cast<long long>(rows), static_cast<double>(bytes) / 1e6, compute_s);
  std::printf("resume, checksums verified: median %.4f s (min %.4f, max %.4f) over %d runs\n",
              Median(verified), *std::min_element(verified.begin(), verified.end()),
              *std::max_element(verified.begin(), verified.end()), repeat);
  std::printf("resume, sizes only:         median %.4f s (min %.4f, max %.4f) over %d runs\n",
              Median(sizes_only), *std::min_element(sizes_only.begin(), sizes_only.end()),
              *std::max_element(sizes_only.begin(), sizes_only.end()), repeat);
  std::printf(
      "stages=%d rows=%lld bytes=%llu compute_s=%.4f resume_verified_s=%.4f "
      "resume_sizes_s=%.4f\n",
      stages, static_cast<long long>(rows), static_cast<unsigned long long>(bytes), compute_s,
      Median(verified), Median(sizes_only));
  std::filesystem::remove_all(dir);
  return 0;
}
