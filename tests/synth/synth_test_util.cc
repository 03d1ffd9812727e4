#include "synth/synth_test_util.h"

#include <cstdio>
#include <cstdlib>

#include "core/context.h"
#include "synth/generator.h"

namespace upcamp::synth::testing {

int SimpleCsv::Col(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {
std::vector<std::string> SplitLine(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.emplace_back(line.substr(start));
      return fields;
    }
    fields.emplace_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}
}  // namespace

SimpleCsv ParseSimpleCsv(const std::string& text) {
  SimpleCsv csv;
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    auto fields = SplitLine(std::string_view(text).substr(pos, end - pos));
    if (first) {
      csv.header = std::move(fields);
      first = false;
    } else {
      csv.rows.push_back(std::move(fields));
    }
    pos = end + 1;
  }
  return csv;
}

SimpleCsv ReadSimpleCsv(const std::string& path) {
  return ParseSimpleCsv(::upcamp::testing::ReadAll(path));
}

int64_t ParseCents(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  int64_t whole = 0, frac = 0;
  int frac_digits = 0;
  bool in_frac = false;
  for (char c : text) {
    if (c == '.') {
      in_frac = true;
      continue;
    }
    if (c < '0' || c > '9') return INT64_MIN;
    if (in_frac) {
      if (++frac_digits > 2) return INT64_MIN;
      frac = frac * 10 + (c - '0');
    } else {
      whole = whole * 10 + (c - '0');
    }
  }
  if (frac_digits == 1) frac *= 10;
  const int64_t v = whole * 100 + frac;
  return negative ? -v : v;
}

SynthParams SmallParams(int64_t clients, uint64_t seed) {
  SynthParams p;
  p.clients = clients;
  p.seed = seed;
  p.products = 3000;
  p.stores = 60;
  return p;
}

const std::string& SharedDatasetDir() {
  static const ::upcamp::testing::TempDir dir;  // removed when the test binary exits
  static const bool generated = [] {
    Context ctx;
    ctx.threads = 2;
    ctx.quiet = true;
    const Status st = GenerateDataset(SmallParams(), SynthOutputOptions{}, dir.path(), ctx);
    if (!st.ok()) {
      std::fprintf(stderr, "shared synth dataset: %s\n", st.ToString().c_str());
      std::abort();
    }
    return true;
  }();
  (void)generated;
  return dir.path();
}

}  // namespace upcamp::synth::testing
