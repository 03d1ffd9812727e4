// forest_bench [--rows N] [--cols P] [--trees T] [--depth D] [--max-features K]
//              [--criterion KL|ED|Chi|DDP] [--threads N] [--repeat R] [--honest] [--test-rows M]
//
// Times UpliftForest::Fit on synthetic data with a known uplift (binary outcome) and prints the
// median wall and CPU seconds of R fits, the peak RSS against the size of the input matrix, and
// the normalized Qini of the last fit on fresh test rows next to the oracle's (so the timed
// forest is known to learn the signal). Defaults: the shape — 150,000 rows x 220
// features, 10 trees, depth 6, max_features 10, KL, 1 thread.
// The last line is `key=value` pairs for scripts (bench/forest_scaling.sh).
//
// Data: features uniform on [0, 1) (every 10th column holds 5% missing values, every 7th is
// integer-valued 0..20); treatment Bernoulli(0.5); outcome Bernoulli(0.1 + 0.1*x2 + t*tau) with
// tau = 0.10 if x0 > 0.5 and x1 > 0.3, else -0.02.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/random.h"
#include "metrics/curves.h"
#include "models/forest/forest.h"

namespace {

using upcamp::models::FeatureMatrix;
using upcamp::models::forest::UpliftForest;

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Data {
  FeatureMatrix x;
  std::vector<uint8_t> treatment;
  std::vector<double> outcome, tau;
};

Data Simulate(int64_t rows, int cols, uint64_t seed) {
  std::vector<std::string> names;
  for (int j = 0; j < cols; ++j) names.push_back("f" + std::to_string(j));
  Data d{FeatureMatrix(names, rows), {}, {}, {}};
  upcamp::Rng rng(seed);
  for (int j = 0; j < cols; ++j) {
    for (double& v : d.x.mutable_column(j)) {
      v = j % 7 == 6 ? std::floor(rng.Uniform(0, 21)) : rng.Uniform();
      if (j % 10 == 9 && rng.Bernoulli(0.05)) v = std::nan("");
    }
  }
  d.treatment.reserve(static_cast<size_t>(rows));
  d.outcome.reserve(static_cast<size_t>(rows));
  d.tau.reserve(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const double x0 = d.x.at(r, 0), x1 = d.x.at(r, 1), x2 = d.x.at(r, 2);
    const double tau = (x0 > 0.5 && x1 > 0.3) ? 0.10 : -0.02;
    const uint8_t t = rng.Bernoulli(0.5) ? 1 : 0;
    d.treatment.push_back(t);
    d.outcome.push_back(rng.Bernoulli(0.1 + 0.1 * x2 + (t ? tau : 0.0)) ? 1.0 : 0.0);
    d.tau.push_back(tau);
  }
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 150000, test_rows = 20000;
  int cols = 220, trees = 10, depth = 6, max_features = 10, threads = 1, repeat = 5;
  std::string criterion = "KL";
  bool honest = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "forest_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows")
      rows = std::atoll(next());
    else if (a == "--cols")
      cols = std::atoi(next());
    else if (a == "--trees")
      trees = std::atoi(next());
    else if (a == "--depth")
      depth = std::atoi(next());
    else if (a == "--max-features")
      max_features = std::atoi(next());
    else if (a == "--criterion")
      criterion = next();
    else if (a == "--threads")
      threads = std::atoi(next());
    else if (a == "--repeat")
      repeat = std::atoi(next());
    else if (a == "--test-rows")
      test_rows = std::atoll(next());
    else if (a == "--honest")
      honest = true;
    else {
      std::fprintf(stderr, "forest_bench: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (cols < 3 || rows < 100 || repeat < 1) {
    std::fprintf(stderr, "forest_bench: need --cols >= 3, --rows >= 100, --repeat >= 1\n");
    return 2;
  }

  const Data train = Simulate(rows, cols, 1);
  const double matrix_mb = static_cast<double>(rows) * cols * 8 / (1024.0 * 1024.0);
  const double rss_after_data = PeakRssMb();

  const std::string params =
      "{n_trees: " + std::to_string(trees) + ", max_depth: " + std::to_string(depth) +
      ", max_features: " + std::to_string(max_features) + ", criterion: " + criterion +
      ", honest: " + (honest ? "true" : "false") + "}";
  auto node = upcamp::ConfigNode::Parse("{type: uplift_forest, params: " + params + "}", "bench");
  if (!node.ok()) {
    std::fprintf(stderr, "%s\n", node.status().ToString().c_str());
    return 2;
  }
  auto made = upcamp::models::forest::MakeUpliftForest(*node);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().ToString().c_str());
    return 2;
  }
  auto& forest = static_cast<UpliftForest&>(**made);
  upcamp::Context ctx;
  ctx.threads = threads;
  ctx.seed = 7;
  ctx.quiet = true;

  std::vector<double> wall, cpu;
  for (int r = 0; r < repeat; ++r) {
    const double c0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const upcamp::Status st = forest.Fit(
        {&train.x, train.treatment, train.outcome, upcamp::models::OutcomeKind::kBinary}, ctx);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = CpuSeconds();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
    wall.push_back(std::chrono::duration<double>(t1 - t0).count());
    cpu.push_back(c1 - c0);
    std::fprintf(stderr, "run %d: wall %.3f s, cpu %.3f s\n", r + 1, wall.back(), cpu.back());
  }
  const double peak_mb = PeakRssMb();

  const Data test = Simulate(test_rows, cols, 2);
  auto pred = forest.Predict(test.x, ctx);
  double qini = NAN, oracle = NAN;
  if (pred.ok()) {
    auto q = upcamp::metrics::QiniAucScore(*pred, test.treatment, test.outcome);
    auto o = upcamp::metrics::QiniAucScore(test.tau, test.treatment, test.outcome);
    if (q.ok()) qini = *q;
    if (o.ok()) oracle = *o;
  }
  size_t nodes = 0;
  for (const auto& tree : forest.trees()) nodes += tree.nodes.size();

  std::printf(
      "uplift_forest fit: %lld rows x %d features, %d trees, depth %d, max_features %d, "
      "%s%s, %d thread(s), %d runs\n",
      static_cast<long long>(rows), cols, trees, depth, max_features, criterion.c_str(),
      honest ? ", honest" : "", threads, repeat);
  std::printf("  median wall %.3f s (min %.3f), median CPU %.3f s\n", Median(wall),
              *std::min_element(wall.begin(), wall.end()), Median(cpu));
  std::printf(
      "  input matrix %.1f MB, peak RSS %.1f MB (%.2fx the matrix; %.1f MB after "
      "generating the data)\n",
      matrix_mb, peak_mb, peak_mb / matrix_mb, rss_after_data);
  std::printf("  %zu nodes; test Qini (normalized) %.4f, oracle %.4f\n", nodes, qini, oracle);
  std::printf(
      "rows=%lld cols=%d trees=%d depth=%d threads=%d wall_median=%.4f wall_min=%.4f "
      "cpu_median=%.4f matrix_mb=%.1f peak_rss_mb=%.1f qini=%.4f oracle_qini=%.4f\n",
      static_cast<long long>(rows), cols, trees, depth, threads, Median(wall),
      *std::min_element(wall.begin(), wall.end()), Median(cpu), matrix_mb, peak_mb, qini, oracle);
  return 0;
}
