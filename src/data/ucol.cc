#include "data/ucol.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/file_util.h"
#include "core/hash.h"
#include "core/parallel.h"

namespace upcamp {
namespace {

static_assert(std::endian::native == std::endian::little,
              ".ucol stores little-endian values and copies column memory as is");

constexpr char kMagic[8] = {'U', 'C', 'O', 'L', '\r', '\n', '\x1a', '\n'};
constexpr uint64_t kPrefixSize = 8 + 4 + 4 + 8;  // magic, version, flags, hsize
constexpr uint64_t kChecksumSize = 8;
// name_len, type, null_count, dictionary_size, offset, compressed_size, raw_size, checksum
constexpr uint64_t kColumnFixedBytes = 4 + 1 + 8 * 6;
constexpr size_t kFrameRawBytes = size_t{4} << 20;
// zstd cannot expand more than this (an RLE block: 4 bytes -> 128 KiB is 32768x); a header that
// claims more is corrupt, and we refuse before allocating.
constexpr uint64_t kMaxExpansion = 65536;

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};
using CCtxPtr = std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter>;
using DCtxPtr = std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter>;

size_t FixedWidth(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kFloat64:
      return 8;
    case DataType::kBool:
      return 1;
    case DataType::kString:
      return 0;
  }
  return 0;
}

void PutU32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
void PutU64(std::string& out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}

// Bounds-checked reading of the header payload.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool U8(uint8_t* v) { return Raw(v, 1); }
  bool U32(uint32_t* v) { return Raw(v, 4); }
  bool U64(uint64_t* v) { return Raw(v, 8); }
  bool Str(size_t n, std::string* s) {
    if (n > data_.size() - pos_) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  bool Raw(void* v, size_t n) {
    if (n > data_.size() - pos_) return false;
    std::memcpy(v, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

// a * b, or false on overflow.
bool MulOk(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool AddOk(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

// The raw bytes of a column: a view of the column's memory, or (strings) an owned buffer.
struct RawColumn {
  std::string owned;
  const char* data = nullptr;
  size_t size = 0;
};

RawColumn MakeRaw(const Column& col) {
  RawColumn raw;
  switch (col.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp: {
      const auto v = col.int64s();
      raw.data = reinterpret_cast<const char*>(v.data());
      raw.size = v.size_bytes();
      break;
    }
    case DataType::kFloat64: {
      const auto v = col.float64s();
      raw.data = reinterpret_cast<const char*>(v.data());
      raw.size = v.size_bytes();
      break;
    }
    case DataType::kBool: {
      const auto v = col.bools();
      raw.data = reinterpret_cast<const char*>(v.data());
      raw.size = v.size_bytes();
      break;
    }
    case DataType::kString: {
      const StringDictionary& dict = col.dictionary();
      const auto count = static_cast<uint64_t>(dict.size());
      size_t bytes = 0;
      for (int32_t i = 0; i < dict.size(); ++i) bytes += dict.Get(i).size();
      const auto codes = col.codes();
      std::string& out = raw.owned;
      out.reserve(8 + 4 * count + bytes + codes.size_bytes());
      PutU64(out, count);
      for (int32_t i = 0; i < dict.size(); ++i) {
        PutU32(out, static_cast<uint32_t>(dict.Get(i).size()));
      }
      for (int32_t i = 0; i < dict.size(); ++i) out.append(dict.Get(i));
      out.append(reinterpret_cast<const char*>(codes.data()), codes.size_bytes());
      raw.data = out.data();
      raw.size = out.size();
      break;
    }
  }
  return raw;
}

// An open file read with pread; closed on destruction.
class InputFile {
 public:
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::Io("{}: not a regular file", path);
    }
    return std::unique_ptr<InputFile>(new InputFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  /// Reads exactly `n` bytes at `offset` (the caller has checked the range against size()).
  Status ReadAt(uint64_t offset, size_t n, char* out) const {
    while (n > 0) {
      const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read", path_);
      }
      if (got == 0) {
        return Status::Data("{}: truncated file (it changed while being read?)", path_);
      }
      out += got;
      offset += static_cast<uint64_t>(got);
      n -= static_cast<size_t>(got);
    }
    return Status::Ok();
  }

 private:
  InputFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_;
  uint64_t size_;
};

Result<UcolInfo> ReadHeader(const InputFile& file) {
  const std::string& path = file.path();
  char prefix[kPrefixSize];
  const size_t have = static_cast<size_t>(std::min<uint64_t>(file.size(), kPrefixSize));
  UPCAMP_RETURN_IF_ERROR(file.ReadAt(0, have, prefix));
  const size_t magic_have = std::min<size_t>(have, sizeof kMagic);
  if (magic_have == 0 || std::memcmp(prefix, kMagic, magic_have) != 0) {
    return Status::Data("{}: not a .ucol file (wrong magic bytes)", path);
  }
  if (have < kPrefixSize) {
    return Status::Data("{}: truncated .ucol file ({} bytes, the header alone needs more)", path,
                        file.size());
  }
  UcolInfo info;
  info.file_size = file.size();
  uint32_t flags = 0;
  uint64_t hsize = 0;
  std::memcpy(&info.format_version, prefix + 8, 4);
  std::memcpy(&flags, prefix + 12, 4);
  std::memcpy(&hsize, prefix + 16, 8);
  if (info.format_version != kUcolFormatVersion) {
    return Status::Data(
        "{}: .ucol format version {} is not supported (this upcamp reads version {}); "
        "re-create the file with this version",
        path, info.format_version, kUcolFormatVersion);
  }
  if (flags != 0) return Status::Data("{}: corrupt .ucol header (unknown flags {})", path, flags);
  if (hsize > file.size() - kPrefixSize || file.size() - kPrefixSize - hsize < kChecksumSize) {
    return Status::Data("{}: truncated .ucol file (header of {} bytes, file of {} bytes)", path,
                        hsize, file.size());
  }
  std::string payload(hsize, '\0');
  UPCAMP_RETURN_IF_ERROR(file.ReadAt(kPrefixSize, hsize, payload.data()));
  uint64_t stored_checksum = 0;
  UPCAMP_RETURN_IF_ERROR(
      file.ReadAt(kPrefixSize + hsize, kChecksumSize, reinterpret_cast<char*>(&stored_checksum)));
  if (Hash64(payload) != stored_checksum) {
    return Status::Data("{}: corrupt .ucol header (checksum mismatch)", path);
  }
  const uint64_t data_start = kPrefixSize + hsize + kChecksumSize;

  ByteReader in(payload);
  uint32_t ncols = 0;
  if (!in.U64(&info.num_rows) || !in.U32(&ncols) || ncols > in.remaining() / kColumnFixedBytes) {
    return Status::Data("{}: corrupt .ucol header (column count)", path);
  }
  info.columns.resize(ncols);
  uint64_t next_offset = data_start;
  for (uint32_t c = 0; c < ncols; ++c) {
    UcolColumnInfo& col = info.columns[c];
    uint32_t name_len = 0;
    uint8_t type = 0;
    if (!in.U32(&name_len) || !in.Str(name_len, &col.name) || !in.U8(&type) ||
        !in.U64(&col.null_count) || !in.U64(&col.dictionary_size) || !in.U64(&col.offset) ||
        !in.U64(&col.compressed_size) || !in.U64(&col.raw_size) || !in.U64(&col.checksum)) {
      return Status::Data("{}: corrupt .ucol header (column {} is cut short)", path, c + 1);
    }
    if (col.name.empty() || type > static_cast<uint8_t>(DataType::kBool)) {
      return Status::Data("{}: corrupt .ucol header (column {}: empty name or unknown type {})",
                          path, c + 1, type);
    }
    col.type = static_cast<DataType>(type);
    for (uint32_t prev = 0; prev < c; ++prev) {
      if (info.columns[prev].name == col.name) {
        return Status::Data("{}: corrupt .ucol header (duplicate column '{}')", path, col.name);
      }
    }
    auto bad = [&](std::string_view what) {
      return Status::Data("{}: column '{}': corrupt .ucol header ({})", path, col.name, what);
    };
    if (col.null_count > info.num_rows) return bad("more missing values than rows");
    const size_t width = FixedWidth(col.type);
    uint64_t expect_raw = 0;
    if (width > 0) {
      if (!MulOk(info.num_rows, width, &expect_raw) || col.raw_size != expect_raw) {
        return bad("raw size does not match the row count");
      }
      if (col.dictionary_size != 0) return bad("dictionary on a non-string column");
    } else {
      uint64_t codes_bytes = 0, dict_bytes = 0;
      if (!MulOk(info.num_rows, 4, &codes_bytes) || !MulOk(col.dictionary_size, 4, &dict_bytes) ||
          !AddOk(codes_bytes, dict_bytes, &expect_raw) || !AddOk(expect_raw, 8, &expect_raw) ||
          col.raw_size < expect_raw) {
        return bad("raw size too small for the row count and dictionary");
      }
    }
    uint64_t max_raw = 0;
    if (col.raw_size > 0 &&
        (!MulOk(col.compressed_size, kMaxExpansion, &max_raw) || col.raw_size > max_raw)) {
      return bad("raw size impossible for the compressed size");
    }
    if (col.offset != next_offset) return bad("data offset out of place");
    uint64_t end = 0;
    if (!AddOk(col.offset, col.compressed_size, &end) || end > file.size()) {
      return Status::Data(
          "{}: truncated .ucol file: column '{}' needs bytes up to {}, the file has {} bytes", path,
          col.name, AddOk(col.offset, col.compressed_size, &end) ? end : UINT64_MAX, file.size());
    }
    next_offset = end;
  }
  if (in.remaining() != 0) return Status::Data("{}: corrupt .ucol header (trailing bytes)", path);
  if (next_offset != file.size()) {
    return Status::Data("{}: corrupt .ucol file ({} unexpected bytes after the last column)", path,
                        file.size() - next_offset);
  }
  return info;
}

// Where one column's raw bytes are decompressed to.
struct ColumnTarget {
  const UcolColumnInfo* info = nullptr;
  std::string compressed;
  // Every byte is written by the decompression (frames must add up to the raw size), so the
  // destinations grow without zero-filling.
  NoInitVector<int64_t> i64;
  NoInitVector<double> f64;
  NoInitVector<uint8_t> u8;
  std::string raw;  // string columns
  char* dst = nullptr;
};

struct Frame {
  size_t column;
  size_t src_offset, src_size;
  size_t dst_offset, dst_size;
};

Result<Column> DecodeColumn(const std::string& path, ColumnTarget& t, uint64_t num_rows) {
  const UcolColumnInfo& info = *t.info;
  auto bad = [&](std::string_view what) {
    return Status::Data("{}: column '{}': corrupt data ({})", path, info.name, what);
  };
  const uint64_t actual = Hash64(t.dst, info.raw_size);
  if (actual != info.checksum) {
    return Status::Data(
        "{}: column '{}': checksum mismatch (stored {}, computed {}): the file is corrupt; "
        "re-create it",
        path, info.name, Hex64(info.checksum), Hex64(actual));
  }
  switch (info.type) {
    case DataType::kInt64:
      return Column::AdoptInt64(info.name, std::move(t.i64));
    case DataType::kTimestamp:
      return Column::AdoptTimestamp(info.name, std::move(t.i64));
    case DataType::kFloat64:
      return Column::AdoptFloat64(info.name, std::move(t.f64));
    case DataType::kBool:
      for (uint8_t v : t.u8) {
        if (v > kNullBool) return bad("bool value out of range");
      }
      return Column::AdoptBool(info.name, std::move(t.u8));
    case DataType::kString: {
      const std::string_view raw = t.raw;
      uint64_t count = 0;
      std::memcpy(&count, raw.data(), 8);
      if (count != info.dictionary_size) return bad("dictionary size differs from the header");
      const size_t lengths_at = 8;
      const size_t strings_at = lengths_at + 4 * count;
      const size_t codes_at = raw.size() - 4 * num_rows;
      auto dict = std::make_shared<StringDictionary>();
      dict->Reserve(count);
      size_t pos = strings_at;
      for (uint64_t i = 0; i < count; ++i) {
        uint32_t len = 0;
        std::memcpy(&len, raw.data() + lengths_at + 4 * i, 4);
        if (len > codes_at - pos) return bad("dictionary strings overrun");
        if (dict->GetOrAdd(raw.substr(pos, len)) != static_cast<int32_t>(i)) {
          return bad("duplicate dictionary entry");
        }
        pos += len;
      }
      if (pos != codes_at) return bad("dictionary size mismatch");
      NoInitVector<int32_t> codes(num_rows);
      if (num_rows > 0) std::memcpy(codes.data(), raw.data() + codes_at, 4 * num_rows);
      const auto n = static_cast<int32_t>(count);
      for (int32_t code : codes) {
        if (code < kNullCode || code >= n) return bad("string code out of range");
      }
      return Column::AdoptString(info.name, std::move(codes), std::move(dict));
    }
  }
  return bad("unknown type");
}

}  // namespace

Schema UcolInfo::schema() const {
  Schema s;
  s.reserve(columns.size());
  for (const auto& c : columns) s.push_back({c.name, c.type});
  return s;
}

bool IsUcolPath(std::string_view path) {
  constexpr std::string_view kExt = ".ucol";
  if (path.size() < kExt.size()) return false;
  for (size_t i = 0; i < kExt.size(); ++i) {
    const char c = path[path.size() - kExt.size() + i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kExt[i]) return false;
  }
  return true;
}

Status WriteUcol(const Table& table, const std::string& path, const UcolWriteOptions& options) {
  if (options.compression_level < 1 || options.compression_level > ZSTD_maxCLevel()) {
    return Status::Usage("{}: .ucol compression level must be 1..{}, got {}", path,
                         ZSTD_maxCLevel(), options.compression_level);
  }
  const int threads = std::max(options.threads, 1);
  const size_t ncols = table.num_columns();
  if (ncols > UINT32_MAX) return Status::Usage("{}: too many columns", path);
  UPCAMP_ASSIGN_OR_RETURN(auto file, AtomicFileWriter::Open(path));

  // 1. Raw bytes, checksums and null counts per column.
  std::vector<RawColumn> raws(ncols);
  std::vector<UcolColumnInfo> infos(ncols);
  ParallelFor(threads, ncols, [&](size_t c, int) {
    const Column& col = table.column(c);
    raws[c] = MakeRaw(col);
    UcolColumnInfo& info = infos[c];
    info.name = col.name();
    info.type = col.type();
    info.null_count = col.NullCount();
    info.dictionary_size =
        col.type() == DataType::kString ? static_cast<uint64_t>(col.dictionary().size()) : 0;
    info.raw_size = raws[c].size;
    info.checksum = Hash64(raws[c].data, raws[c].size);
  });

  // 2. Compress every column in frames of kFrameRawBytes, in parallel. Frame boundaries depend
  //    only on the data, so the bytes do not depend on the thread count.
  struct Task {
    size_t column, begin, size;
  };
  std::vector<Task> tasks;
  for (size_t c = 0; c < ncols; ++c) {
    for (size_t b = 0; b < raws[c].size; b += kFrameRawBytes) {
      tasks.push_back({c, b, std::min(kFrameRawBytes, raws[c].size - b)});
    }
  }
  std::vector<std::string> frames(tasks.size());
  std::vector<CCtxPtr> cctx(static_cast<size_t>(threads));
  UPCAMP_RETURN_IF_ERROR(ParallelForStatus(threads, tasks.size(), [&](size_t i, int w) -> Status {
    CCtxPtr& ctx = cctx[static_cast<size_t>(w)];
    if (!ctx) ctx.reset(ZSTD_createCCtx());
    if (!ctx) return Status::Runtime("{}: out of memory (zstd)", path);
    const Task& t = tasks[i];
    std::string& out = frames[i];
    out.resize(ZSTD_compressBound(t.size));
    const size_t n =
        ZSTD_compressCCtx(ctx.get(), out.data(), out.size(), raws[t.column].data + t.begin, t.size,
                          options.compression_level);
    if (ZSTD_isError(n)) {
      return Status::Runtime("{}: column '{}': zstd compression failed: {}", path,
                             infos[t.column].name, ZSTD_getErrorName(n));
    }
    out.resize(n);
    return Status::Ok();
  }));
  cctx.clear();
  for (size_t i = 0; i < tasks.size(); ++i)
    infos[tasks[i].column].compressed_size += frames[i].size();

  // 3. Header (its size does not depend on the offsets it holds), then the frames in order.
  uint64_t hsize = 8 + 4;
  for (const auto& info : infos) hsize += kColumnFixedBytes + info.name.size();
  uint64_t offset = kPrefixSize + hsize + kChecksumSize;
  std::string payload;
  payload.reserve(hsize);
  PutU64(payload, table.num_rows());
  PutU32(payload, static_cast<uint32_t>(ncols));
  for (auto& info : infos) {
    info.offset = offset;
    offset += info.compressed_size;
    PutU32(payload, static_cast<uint32_t>(info.name.size()));
    payload.append(info.name);
    payload.push_back(static_cast<char>(info.type));
    PutU64(payload, info.null_count);
    PutU64(payload, info.dictionary_size);
    PutU64(payload, info.offset);
    PutU64(payload, info.compressed_size);
    PutU64(payload, info.raw_size);
    PutU64(payload, info.checksum);
  }
  std::string head(kMagic, sizeof kMagic);
  PutU32(head, kUcolFormatVersion);
  PutU32(head, 0);
  PutU64(head, payload.size());
  head += payload;
  PutU64(head, Hash64(payload));
  UPCAMP_RETURN_IF_ERROR(file->Write(head));
  for (const auto& f : frames) UPCAMP_RETURN_IF_ERROR(file->Write(f));
  return file->Commit();
}

Result<UcolInfo> InspectUcol(const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(auto file, InputFile::Open(path));
  return ReadHeader(*file);
}

Result<Table> ReadUcol(const std::string& path, const UcolReadOptions& options) {
  UPCAMP_ASSIGN_OR_RETURN(auto file, InputFile::Open(path));
  UPCAMP_ASSIGN_OR_RETURN(UcolInfo info, ReadHeader(*file));
  const int threads = std::max(options.threads, 1);

  // Which columns, in which order.
  std::vector<const UcolColumnInfo*> wanted;
  if (options.columns.empty()) {
    for (const auto& c : info.columns) wanted.push_back(&c);
  } else {
    for (const auto& name : options.columns) {
      auto it = std::find_if(info.columns.begin(), info.columns.end(),
                             [&](const UcolColumnInfo& c) { return c.name == name; });
      if (it == info.columns.end()) {
        std::string names;
        for (const auto& c : info.columns) {
          if (!names.empty()) names += ", ";
          names += c.name;
        }
        return Status::Data("{} has no column '{}' (columns: {})", path, name, names);
      }
      if (std::find(wanted.begin(), wanted.end(), &*it) != wanted.end()) {
        return Status::Usage("{}: column '{}' requested twice", path, name);
      }
      wanted.push_back(&*it);
    }
  }

  // Read the compressed bytes and allocate the destinations (sizes validated by ReadHeader).
  std::vector<ColumnTarget> targets(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    ColumnTarget& t = targets[i];
    t.info = wanted[i];
    t.compressed.resize(t.info->compressed_size);
    UPCAMP_RETURN_IF_ERROR(
        file->ReadAt(t.info->offset, t.info->compressed_size, t.compressed.data()));
    switch (t.info->type) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        t.i64.resize(info.num_rows);
        t.dst = reinterpret_cast<char*>(t.i64.data());
        break;
      case DataType::kFloat64:
        t.f64.resize(info.num_rows);
        t.dst = reinterpret_cast<char*>(t.f64.data());
        break;
      case DataType::kBool:
        t.u8.resize(info.num_rows);
        t.dst = reinterpret_cast<char*>(t.u8.data());
        break;
      case DataType::kString:
        t.raw.resize(t.info->raw_size);
        t.dst = t.raw.data();
        break;
    }
  }

  // Find the frames of each column and check that they add up to the raw size.
  std::vector<Frame> frames;
  for (size_t i = 0; i < targets.size(); ++i) {
    const ColumnTarget& t = targets[i];
    const std::string& src = t.compressed;
    size_t pos = 0, dst = 0;
    while (pos < src.size()) {
      const size_t fsize = ZSTD_findFrameCompressedSize(src.data() + pos, src.size() - pos);
      const unsigned long long content = ZSTD_isError(fsize)
                                             ? ZSTD_CONTENTSIZE_ERROR
                                             : ZSTD_getFrameContentSize(src.data() + pos, fsize);
      if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
          content > t.info->raw_size - dst) {
        return Status::Data("{}: column '{}': corrupt compressed data (bad frame at byte {})", path,
                            t.info->name, t.info->offset + pos);
      }
      frames.push_back({i, pos, fsize, dst, static_cast<size_t>(content)});
      pos += fsize;
      dst += static_cast<size_t>(content);
    }
    if (dst != t.info->raw_size) {
      return Status::Data("{}: column '{}': corrupt compressed data ({} raw bytes, expected {})",
                          path, t.info->name, dst, t.info->raw_size);
    }
  }

  std::vector<DCtxPtr> dctx(static_cast<size_t>(threads));
  UPCAMP_RETURN_IF_ERROR(ParallelForStatus(threads, frames.size(), [&](size_t i, int w) -> Status {
    DCtxPtr& ctx = dctx[static_cast<size_t>(w)];
    if (!ctx) ctx.reset(ZSTD_createDCtx());
    if (!ctx) return Status::Runtime("{}: out of memory (zstd)", path);
    const Frame& f = frames[i];
    ColumnTarget& t = targets[f.column];
    const size_t n = ZSTD_decompressDCtx(ctx.get(), t.dst + f.dst_offset, f.dst_size,
                                         t.compressed.data() + f.src_offset, f.src_size);
    if (ZSTD_isError(n) || n != f.dst_size) {
      return Status::Data("{}: column '{}': corrupt compressed data ({})", path, t.info->name,
                          ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
    }
    return Status::Ok();
  }));
  dctx.clear();

  std::vector<Column> columns(targets.size());
  UPCAMP_RETURN_IF_ERROR(ParallelForStatus(threads, targets.size(), [&](size_t i, int) -> Status {
    targets[i].compressed = std::string();
    UPCAMP_ASSIGN_OR_RETURN(columns[i], DecodeColumn(path, targets[i], info.num_rows));
    return Status::Ok();
  }));
  if (columns.empty()) return Table();
  return Table::Make(std::move(columns));
}

Status ExportUcolToCsv(const std::string& ucol_path, const std::string& csv_path,
                       const CsvWriteOptions& options, int threads) {
  UcolReadOptions read;
  read.threads = threads;
  UPCAMP_ASSIGN_OR_RETURN(Table table, ReadUcol(ucol_path, read));
  if (table.num_columns() == 0) {
    return Status::Data("{}: has no columns; nothing to export as CSV", ucol_path);
  }
  return WriteCsv(table, csv_path, options);
}

}  // namespace upcamp
