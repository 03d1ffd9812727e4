// csv_read_bench FILE [--threads N] [--repeat K] [--block-size BYTES] [--columns A,B] [--infer]
//                [--batches]
//
// Times ReadCsv on FILE (the receipts table of `upcamp synth` by default: its columns get their
// declared types, as pandas gets `dtype=` and `parse_dates=` in bench/pandas_read_csv.py) and
// prints the median of K runs as MB/s of CSV text, MB/s per parsing thread, rows/s, and the
// process's peak RSS. --infer reads without a schema; --batches streams with ReadCsvBatches.
// One line of `key=value` pairs at the end is for scripts (bench/csv_read_vs_pandas.sh).

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "data/csv_reader.h"

namespace {

using upcamp::DataType;
using upcamp::Field;

// The receipts layout of PRODUCT.md §2; columns of the file not named here are inferred.
std::vector<Field> ReceiptsSchema() {
  return {{"client_id", DataType::kString},
          {"transaction_id", DataType::kString},
          {"transaction_datetime", DataType::kTimestamp},
          {"regular_points_received", DataType::kFloat64},
          {"express_points_received", DataType::kFloat64},
          {"regular_points_spent", DataType::kFloat64},
          {"express_points_spent", DataType::kFloat64},
          {"purchase_sum", DataType::kFloat64},
          {"store_id", DataType::kString},
          {"trn_sum_from_iss", DataType::kFloat64},
          {"trn_sum_from_red", DataType::kFloat64},
          {"product_id", DataType::kString},
          {"product_quantity", DataType::kFloat64}};
}

// CPU seconds (user + system, all threads) of this process so far: on a shared machine the
// honest "per core" figure is bytes per CPU second, since wall time includes waiting for a core.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int Usage() {
  std::fprintf(stderr,
               "usage: csv_read_bench FILE [--threads N] [--repeat K] [--block-size BYTES] "
               "[--columns A,B] [--infer] [--batches]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string path = argv[1];
  upcamp::CsvReadOptions options;
  int repeat = 3;
  bool infer = false;
  bool batches = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--threads") {
      const char* v = next();
      if (v == nullptr) return Usage();
      options.threads = std::atoi(v);
    } else if (a == "--repeat") {
      const char* v = next();
      if (v == nullptr) return Usage();
      repeat = std::max(1, std::atoi(v));
    } else if (a == "--block-size") {
      const char* v = next();
      if (v == nullptr) return Usage();
      options.block_size = static_cast<size_t>(std::atoll(v));
    } else if (a == "--columns") {  // comma-separated projection
      const char* v = next();
      if (v == nullptr) return Usage();
      std::string list = v;
      for (size_t at = 0; at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        options.columns.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
    } else if (a == "--infer") {
      infer = true;
    } else if (a == "--batches") {
      batches = true;
    } else {
      return Usage();
    }
  }
  upcamp::InitLogging(/*quiet=*/true);
  if (!infer) options.schema = ReceiptsSchema();

  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "csv_read_bench: cannot stat %s\n", path.c_str());
    return 1;
  }
  const double mb = static_cast<double>(st.st_size) / 1e6;

  std::vector<double> seconds;
  std::vector<double> cpu_seconds;
  size_t rows = 0;
  size_t columns = 0;
  std::optional<upcamp::Table> table;  // the last read's result
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = CpuSeconds();
    if (batches) {
      rows = 0;
      upcamp::Status s = upcamp::ReadCsvBatches(path, options, [&](const upcamp::Table& b) {
        rows += b.num_rows();
        columns = b.num_columns();
        return upcamp::Status::Ok();
      });
      if (!s.ok()) {
        std::fprintf(stderr, "csv_read_bench: %s\n", s.ToString().c_str());
        return 1;
      }
    } else {
      auto t = upcamp::ReadCsv(path, options);
      if (!t.ok()) {
        std::fprintf(stderr, "csv_read_bench: %s\n", t.status().ToString().c_str());
        return 1;
      }
      table.emplace(std::move(*t));
      rows = table->num_rows();
      columns = table->num_columns();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    seconds.push_back(s);
    cpu_seconds.push_back(CpuSeconds() - c0);
    // Freed outside the timing, as the pandas script frees its DataFrame (`del df`) after its
    // clock stops: the measurement is the read, not the release of its result.
    table.reset();
    std::fprintf(stderr, "run %d: %.3f s, %.0f MB/s, %.3f CPU s\n", r + 1, s, mb / s,
                 cpu_seconds.back());
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::sort(cpu_seconds.begin(), cpu_seconds.end());
  const double cpu = cpu_seconds[cpu_seconds.size() / 2];
  const double rss = PeakRssMb();
  std::printf("file: %s (%.1f MB, %zu rows, %zu columns)%s\n", path.c_str(), mb, rows, columns,
              batches ? " [batches]" : "");
  std::printf(
      "threads %d, %d runs: median %.3f s, %.0f MB/s (%.0f MB/s per thread), %.2fM rows/s, "
      "peak RSS %.0f MB\n",
      options.threads, repeat, median, mb / median, mb / median / options.threads,
      static_cast<double>(rows) / median / 1e6, rss);
  std::printf("CPU time: median %.3f s, %.0f MB per CPU second\n", cpu, mb / cpu);
  std::printf(
      "RESULT tool=upcamp threads=%d median_s=%.4f mb_per_s=%.1f rows=%zu peak_rss_mb=%.0f "
      "cpu_s=%.4f\n",
      options.threads, median, mb / median, rows, rss, cpu);
  return 0;
}
