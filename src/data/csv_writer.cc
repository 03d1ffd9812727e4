#include "data/csv_writer.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "core/parallel.h"

namespace upcamp {
namespace {

// Formatted text is handed to the sink in chunks of about this size.
constexpr size_t kFlushBytes = size_t{1} << 20;

bool NeedsQuoting(std::string_view field, char delimiter) {
  if (field.empty()) return false;
  if (field.front() == ' ' || field.back() == ' ') return true;
  for (const char c : field) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view field) {
  out.push_back('"');
  size_t start = 0;
  while (true) {
    const size_t q = field.find('"', start);
    if (q == std::string_view::npos) break;
    out.append(field.data() + start, q + 1 - start);
    out.push_back('"');  // doubled quote
    start = q + 1;
  }
  out.append(field.data() + start, field.size() - start);
  out.push_back('"');
}

// Appends rows [begin, end) of `table`. With a single column a missing value is written as `""`,
// because an empty line would be ambiguous (readers may skip blank lines).
void FormatRows(const Table& table, size_t begin, size_t end, char delimiter, std::string& out) {
  const size_t ncols = table.num_columns();
  const bool single = ncols == 1;
  // The columns' types and value arrays, looked up once, not once per cell (the accessors are
  // out-of-line calls, and formatting is a few nanoseconds a cell).
  struct View {
    DataType type;
    const int64_t* i64 = nullptr;
    const double* f64 = nullptr;
    const uint8_t* bools = nullptr;
    const int32_t* codes = nullptr;
    const StringDictionary* dict = nullptr;
  };
  std::vector<View> views;
  views.reserve(ncols);
  for (const Column& col : table.columns()) {
    View v{col.type()};
    switch (col.type()) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        v.i64 = col.int64s().data();
        break;
      case DataType::kFloat64:
        v.f64 = col.float64s().data();
        break;
      case DataType::kBool:
        v.bools = col.bools().data();
        break;
      case DataType::kString:
        v.codes = col.codes().data();
        v.dict = &col.dictionary();
        break;
    }
    views.push_back(v);
  }
  char buf[40];
  for (size_t row = begin; row < end; ++row) {
    for (size_t c = 0; c < ncols; ++c) {
      if (c > 0) out.push_back(delimiter);
      const View& col = views[c];
      bool empty = false;
      switch (col.type) {
        case DataType::kInt64: {
          const int64_t v = col.i64[row];
          if (v == kNullInt64) {
            empty = true;
          } else {
            const auto res = std::to_chars(buf, buf + sizeof buf, v);
            out.append(buf, static_cast<size_t>(res.ptr - buf));
          }
          break;
        }
        case DataType::kTimestamp: {
          const int64_t v = col.i64[row];
          if (v == kNullInt64) {
            empty = true;
          } else {
            const char* e = FormatTimestampTo(v, buf);
            out.append(buf, static_cast<size_t>(e - buf));
          }
          break;
        }
        case DataType::kFloat64: {
          const char* e = FormatDouble(col.f64[row], buf);
          if (e == buf) {
            empty = true;
          } else {
            out.append(buf, static_cast<size_t>(e - buf));
          }
          break;
        }
        case DataType::kBool: {
          const uint8_t v = col.bools[row];
          if (v == kNullBool) {
            empty = true;
          } else {
            out.push_back(v ? '1' : '0');
          }
          break;
        }
        case DataType::kString: {
          const int32_t code = col.codes[row];
          if (code == kNullCode) {
            empty = true;
          } else {
            const std::string_view s = col.dict->Get(code);
            if (s.empty()) {
              empty = true;
            } else if (NeedsQuoting(s, delimiter)) {
              AppendQuoted(out, s);
            } else {
              out.append(s);
            }
          }
          break;
        }
      }
      if (empty && single) out.append("\"\"");
    }
    out.push_back('\n');
  }
}

std::string FormatHeader(const std::vector<std::string>& names, char delimiter) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(delimiter);
    AppendCsvField(out, names[i], delimiter);
  }
  out.push_back('\n');
  return out;
}

// Where formatted bytes go: the atomic file, possibly through a compressor.
class Sink {
 public:
  explicit Sink(std::unique_ptr<AtomicFileWriter> file) : file_(std::move(file)) {}
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  virtual Status Write(std::string_view data) { return file_->Write(data); }
  /// Ends the compressed stream (if any) and commits the file.
  virtual Status Finish() { return file_->Commit(); }

 protected:
  std::unique_ptr<AtomicFileWriter> file_;
};

class GzipSink final : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> Make(std::unique_ptr<AtomicFileWriter> file, int level) {
    if (level < 0 || level > 9) {
      return Status::Usage("{}: gzip compression level must be 0..9, got {}", file->path(), level);
    }
    auto sink = std::unique_ptr<GzipSink>(new GzipSink(std::move(file)));
    // windowBits 15 + 16 = gzip wrapper (not raw zlib), as gunzip and our reader expect.
    if (deflateInit2(&sink->z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Runtime("{}: cannot initialize gzip compression", sink->file_->path());
    }
    sink->initialized_ = true;
    return std::unique_ptr<Sink>(std::move(sink));
  }
  ~GzipSink() override {
    if (initialized_) deflateEnd(&z_);
  }

  Status Write(std::string_view data) override { return Deflate(data, Z_NO_FLUSH); }
  Status Finish() override {
    UPCAMP_RETURN_IF_ERROR(Deflate({}, Z_FINISH));
    return file_->Commit();
  }

 private:
  explicit GzipSink(std::unique_ptr<AtomicFileWriter> file)
      : Sink(std::move(file)), out_(kFlushBytes) {}

  Status Deflate(std::string_view data, int flush) {
    // zlib counts in uInt; feed very large inputs in pieces.
    size_t offset = 0;
    do {
      const size_t piece = std::min<size_t>(data.size() - offset, size_t{1} << 30);
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
      z_.avail_in = static_cast<uInt>(piece);
      offset += piece;
      const int mode = offset < data.size() ? Z_NO_FLUSH : flush;
      int rc = Z_OK;
      do {
        z_.next_out = reinterpret_cast<Bytef*>(out_.data());
        z_.avail_out = static_cast<uInt>(out_.size());
        rc = deflate(&z_, mode);
        if (rc == Z_STREAM_ERROR) {
          return Status::Runtime("{}: gzip compression failed", file_->path());
        }
        const size_t have = out_.size() - z_.avail_out;
        if (have > 0) UPCAMP_RETURN_IF_ERROR(file_->Write(out_.data(), have));
      } while (z_.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
    } while (offset < data.size());
    return Status::Ok();
  }

  z_stream z_{};
  bool initialized_ = false;
  std::vector<char> out_;
};

class ZstdSink final : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> Make(std::unique_ptr<AtomicFileWriter> file, int level) {
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
      return Status::Usage("{}: zstd compression level must be {}..{}, got {}", file->path(),
                           ZSTD_minCLevel(), ZSTD_maxCLevel(), level);
    }
    auto sink = std::unique_ptr<ZstdSink>(new ZstdSink(std::move(file)));
    if (sink->cctx_ == nullptr ||
        ZSTD_isError(ZSTD_CCtx_setParameter(sink->cctx_, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(sink->cctx_, ZSTD_c_checksumFlag, 1))) {
      return Status::Runtime("{}: cannot initialize zstd compression", sink->file_->path());
    }
    return std::unique_ptr<Sink>(std::move(sink));
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  Status Write(std::string_view data) override { return Compress(data, ZSTD_e_continue); }
  Status Finish() override {
    UPCAMP_RETURN_IF_ERROR(Compress({}, ZSTD_e_end));
    return file_->Commit();
  }

 private:
  explicit ZstdSink(std::unique_ptr<AtomicFileWriter> file)
      : Sink(std::move(file)), cctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {}

  Status Compress(std::string_view data, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (true) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, mode);
      if (ZSTD_isError(remaining)) {
        return Status::Runtime("{}: zstd compression failed: {}", file_->path(),
                               ZSTD_getErrorName(remaining));
      }
      if (out.pos > 0) UPCAMP_RETURN_IF_ERROR(file_->Write(out_.data(), out.pos));
      const bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
      if (done) return Status::Ok();
    }
  }

  ZSTD_CCtx* cctx_;
  std::vector<char> out_;
};

class CsvWriterImpl final : public CsvWriter {
 public:
  CsvWriterImpl(std::unique_ptr<Sink> sink, std::string path, std::vector<std::string> header,
                const CsvWriteOptions& options)
      : sink_(std::move(sink)),
        path_(std::move(path)),
        header_(std::move(header)),
        options_(options) {
    buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
  }

  Status WriteHeader() {
    if (options_.header) buffer_ = FormatHeader(header_, options_.delimiter);
    return Status::Ok();
  }

  Status WriteTable(const Table& batch) override {
    UPCAMP_RETURN_IF_ERROR(CheckUsable());
    if (batch.num_columns() != header_.size()) {
      return Status::Runtime("{}: table has {} columns, the CSV header has {}", path_,
                             batch.num_columns(), header_.size());
    }
    for (size_t c = 0; c < header_.size(); ++c) {
      if (batch.column(c).name() != header_[c]) {
        return Status::Runtime("{}: table column {} is '{}', the CSV header has '{}'", path_, c + 1,
                               batch.column(c).name(), header_[c]);
      }
    }
    // Format in row chunks so the buffer stays near kFlushBytes whatever the table size.
    constexpr size_t kRowsPerChunk = 4096;
    const size_t rows = batch.num_rows();
    if (options_.threads > 1 && rows > kRowsPerChunk) return WriteTableParallel(batch);
    for (size_t begin = 0; begin < rows; begin += kRowsPerChunk) {
      const size_t end = std::min(rows, begin + kRowsPerChunk);
      FormatRows(batch, begin, end, options_.delimiter, buffer_);
      if (buffer_.size() >= kFlushBytes) UPCAMP_RETURN_IF_ERROR(FlushBuffer());
    }
    rows_written_ += rows;
    return Status::Ok();
  }

  // WriteTable with several threads: groups of row chunks are formatted in parallel, each into
  // its own text, then written in order.
  Status WriteTableParallel(const Table& batch) {
    constexpr size_t kRowsPerChunk = 8192;
    const size_t rows = batch.num_rows();
    const auto threads = static_cast<size_t>(options_.threads);
    std::vector<std::string> texts(2 * threads);
    for (size_t begin = 0; begin < rows; begin += texts.size() * kRowsPerChunk) {
      const size_t chunks =
          std::min(texts.size(), (rows - begin + kRowsPerChunk - 1) / kRowsPerChunk);
      ParallelFor(options_.threads, chunks, [&](size_t k, int) {
        const size_t from = begin + k * kRowsPerChunk;
        texts[k].clear();
        FormatRows(batch, from, std::min(rows, from + kRowsPerChunk), options_.delimiter, texts[k]);
      });
      for (size_t k = 0; k < chunks; ++k) {
        if (buffer_.size() + texts[k].size() >= kFlushBytes) {
          UPCAMP_RETURN_IF_ERROR(FlushBuffer());
        }
        if (texts[k].size() >= kFlushBytes) {
          UPCAMP_RETURN_IF_ERROR(Guard(sink_->Write(texts[k])));
        } else {
          buffer_.append(texts[k]);
        }
      }
    }
    rows_written_ += rows;
    return Status::Ok();
  }

  Status WriteRaw(std::string_view rows) override {
    UPCAMP_RETURN_IF_ERROR(CheckUsable());
    rows_written_ += static_cast<uint64_t>(std::count(rows.begin(), rows.end(), '\n'));
    if (buffer_.size() + rows.size() < kFlushBytes) {
      buffer_.append(rows);
      return Status::Ok();
    }
    UPCAMP_RETURN_IF_ERROR(FlushBuffer());
    return Guard(sink_->Write(rows));
  }

  Status Commit() override {
    UPCAMP_RETURN_IF_ERROR(CheckUsable());
    UPCAMP_RETURN_IF_ERROR(FlushBuffer());
    committed_ = true;
    return Guard(sink_->Finish());
  }

  uint64_t rows_written() const override { return rows_written_; }

 private:
  Status CheckUsable() const {
    if (committed_) return Status::Runtime("{}: CSV writer used after Commit()", path_);
    if (failed_) return Status::Runtime("{}: CSV writer used after an earlier error", path_);
    return Status::Ok();
  }

  Status FlushBuffer() {
    if (buffer_.empty()) return Status::Ok();
    Status st = sink_->Write(buffer_);
    buffer_.clear();
    return Guard(std::move(st));
  }

  // Remembers a failure: the output is then incomplete and must never be committed.
  Status Guard(Status st) {
    if (!st.ok()) failed_ = true;
    return st;
  }

  std::unique_ptr<Sink> sink_;
  std::string path_;
  std::vector<std::string> header_;
  CsvWriteOptions options_;
  std::string buffer_;
  uint64_t rows_written_ = 0;
  bool committed_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<CsvWriter>> CsvWriter::Open(const std::string& path,
                                                   const std::vector<std::string>& header,
                                                   const CsvWriteOptions& options) {
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return Status::Usage("{}: invalid CSV delimiter", path);
  }
  if (header.empty()) return Status::Usage("{}: a CSV file needs at least one column", path);
  UPCAMP_ASSIGN_OR_RETURN(auto file, AtomicFileWriter::Open(path));
  const std::string_view suffix = CompressionSuffix(path);
  std::unique_ptr<Sink> sink;
  if (suffix == ".gz") {
    UPCAMP_ASSIGN_OR_RETURN(sink, GzipSink::Make(std::move(file), options.compression_level));
  } else if (suffix == ".zst") {
    UPCAMP_ASSIGN_OR_RETURN(sink, ZstdSink::Make(std::move(file), options.compression_level));
  } else {
    sink = std::make_unique<Sink>(std::move(file));
  }
  auto writer = std::make_unique<CsvWriterImpl>(std::move(sink), path, header, options);
  UPCAMP_RETURN_IF_ERROR(writer->WriteHeader());
  return std::unique_ptr<CsvWriter>(std::move(writer));
}

Status WriteCsv(const Table& table, const std::string& path, const CsvWriteOptions& options) {
  UPCAMP_ASSIGN_OR_RETURN(auto writer, CsvWriter::Open(path, table.ColumnNames(), options));
  UPCAMP_RETURN_IF_ERROR(writer->WriteTable(table));
  return writer->Commit();
}

std::string TableToCsvString(const Table& table, const CsvWriteOptions& options) {
  std::string out;
  if (options.header && table.num_columns() > 0) {
    out = FormatHeader(table.ColumnNames(), options.delimiter);
  }
  FormatRows(table, 0, table.num_rows(), options.delimiter, out);
  return out;
}

void AppendCsvField(std::string& out, std::string_view field, char delimiter) {
  if (NeedsQuoting(field, delimiter)) {
    AppendQuoted(out, field);
  } else {
    out.append(field);
  }
}

}  // namespace upcamp
