#include "data/input_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/file_util.h"

namespace upcamp {
namespace {

constexpr size_t kRawBufferBytes = size_t{1} << 20;

// Owns a file descriptor; reads the raw bytes of a file.
class RawFile {
 public:
  static Result<RawFile> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "stat", path);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status::Io("{}: cannot read: is a directory", path);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return RawFile(path, fd, static_cast<uint64_t>(st.st_size));
  }

  RawFile(RawFile&& o) noexcept
      : path_(std::move(o.path_)), fd_(o.fd_), size_(o.size_), pos_(o.pos_) {
    o.fd_ = -1;
  }
  RawFile& operator=(RawFile&&) = delete;
  ~RawFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<size_t> Read(char* out, size_t n) {
    for (;;) {
      const ssize_t r = ::read(fd_, out, n);
      if (r >= 0) {
        pos_ += static_cast<uint64_t>(r);
        return static_cast<size_t>(r);
      }
      if (errno != EINTR) return Status::FromErrno(errno, "read", path_);
    }
  }

  const std::string& path() const {
    return path_;
  }
  uint64_t size() const {
    return size_;
  }
  uint64_t position() const {
    return pos_;
  }

 private:
  RawFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
};

class PlainStream final : public InputStream {
 public:
  explicit PlainStream(RawFile file) : file_(std::move(file)) {}
  Result<size_t> Read(char* out, size_t n) override { return file_.Read(out, n); }
  uint64_t raw_position() const override { return file_.position(); }
  uint64_t raw_size() const override { return file_.size(); }
  const std::string& name() const override { return file_.path(); }

 private:
  RawFile file_;
};

class GzipStream final : public InputStream {
 public:
  explicit GzipStream(RawFile file) : file_(std::move(file)), in_(kRawBufferBytes) {}
  ~GzipStream() override {
    if (initialized_) inflateEnd(&zs_);
  }

  Result<size_t> Read(char* out, size_t n) override {
    if (!initialized_) {
      zs_ = {};
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) return Status::Runtime("zlib: cannot initialize");
      initialized_ = true;
    }
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    const uInt want = zs_.avail_out;
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0 && !file_eof_) {
        auto got = file_.Read(in_.data(), in_.size());
        if (!got.ok()) return got.status();
        if (*got == 0) {
          file_eof_ = true;
        } else {
          zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
          zs_.avail_in = static_cast<uInt>(*got);
        }
      }
      if (zs_.avail_in == 0 && file_eof_) {
        if (in_member_) {
          return Status::Data("{}: unexpected end of gzip data (truncated file?)", file_.path());
        }
        break;
      }
      if (member_done_) {  // another gzip member follows (as `cat a.gz b.gz` makes)
        if (inflateReset(&zs_) != Z_OK) return Status::Runtime("zlib: cannot reset");
        member_done_ = false;
      }
      in_member_ = true;
      const int r = inflate(&zs_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        member_done_ = true;
        in_member_ = false;
      } else if (r == Z_BUF_ERROR) {
        if (zs_.avail_in != 0) break;  // output full; cannot happen with avail_out > 0
      } else if (r != Z_OK) {
        return Status::Data("{}: corrupt gzip data: {}", file_.path(),
                            zs_.msg != nullptr ? zs_.msg : "inflate failed");
      }
    }
    return static_cast<size_t>(want - zs_.avail_out);
  }
  uint64_t raw_position() const override { return file_.position(); }
  uint64_t raw_size() const override { return file_.size(); }
  const std::string& name() const override { return file_.path(); }

 private:
  RawFile file_;
  std::vector<char> in_;
  z_stream zs_{};
  bool initialized_ = false;
  bool file_eof_ = false;
  bool in_member_ = false;
  bool member_done_ = false;
};

class ZstdStream final : public InputStream {
 public:
  explicit ZstdStream(RawFile file)
      : file_(std::move(file)), in_(ZSTD_DStreamInSize()), dctx_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* out, size_t n) override {
    if (dctx_ == nullptr) return Status::Runtime("zstd: cannot create a decompression context");
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos < ob.size) {
      if (ib_.pos == ib_.size && !file_eof_) {
        auto got = file_.Read(in_.data(), in_.size());
        if (!got.ok()) return got.status();
        if (*got == 0) file_eof_ = true;
        ib_ = {in_.data(), *got, 0};
      }
      const size_t before = ob.pos;
      const bool input_done = ib_.pos == ib_.size && file_eof_;
      if (input_done && last_ == 0) break;  // clean end after a whole frame
      const size_t r = ZSTD_decompressStream(dctx_, &ob, &ib_);
      if (ZSTD_isError(r)) {
        return Status::Data("{}: corrupt zstd data: {}", file_.path(), ZSTD_getErrorName(r));
      }
      last_ = r;
      if (input_done && ob.pos == before && r != 0) {
        return Status::Data("{}: unexpected end of zstd data (truncated file?)", file_.path());
      }
    }
    return ob.pos;
  }
  uint64_t raw_position() const override { return file_.position(); }
  uint64_t raw_size() const override { return file_.size(); }
  const std::string& name() const override { return file_.path(); }

 private:
  RawFile file_;
  std::vector<char> in_;
  ZSTD_inBuffer ib_{nullptr, 0, 0};
  ZSTD_DCtx* dctx_;
  size_t last_ = 0;  // last ZSTD_decompressStream result: 0 = at a frame boundary
  bool file_eof_ = false;
};

class MemoryStream final : public InputStream {
 public:
  explicit MemoryStream(std::string_view text) : text_(text) {}
  Result<size_t> Read(char* out, size_t n) override {
    const size_t k = std::min(n, text_.size() - pos_);
    if (k > 0) std::memcpy(out, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t raw_position() const override { return pos_; }
  uint64_t raw_size() const override { return text_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  std::string name_ = "<memory>";
};

// A reader thread fills a bounded queue of chunks; Read() drains it.
class PrefetchStream final : public InputStream {
 public:
  PrefetchStream(std::unique_ptr<InputStream> inner, size_t chunk_bytes, int depth)
      : inner_(std::move(inner)),
        chunk_bytes_(std::max<size_t>(chunk_bytes, 4096)),
        depth_(static_cast<size_t>(std::max(depth, 1))),
        name_(inner_->name()),
        raw_size_(inner_->raw_size()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PrefetchStream() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<size_t> Read(char* out, size_t n) override {
    size_t done = 0;
    while (done < n) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || finished_; });
      if (queue_.empty()) {
        if (!error_.ok() && done == 0) return error_;
        break;
      }
      std::vector<char>& front = queue_.front();
      const size_t k = std::min(n - done, front.size() - front_pos_);
      std::memcpy(out + done, front.data() + front_pos_, k);
      done += k;
      front_pos_ += k;
      if (front_pos_ == front.size()) {
        queue_.pop_front();
        front_pos_ = 0;
        cv_.notify_all();
      }
    }
    return done;
  }
  uint64_t raw_position() const override { return raw_position_.load(); }
  uint64_t raw_size() const override { return raw_size_; }
  const std::string& name() const override { return name_; }

 private:
  void Run() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || queue_.size() < depth_; });
        if (stop_) return;
      }
      std::vector<char> chunk(chunk_bytes_);
      auto got = ReadFully(*inner_, chunk.data(), chunk.size());
      raw_position_ = inner_->raw_position();
      std::lock_guard<std::mutex> lock(mu_);
      if (!got.ok()) {
        error_ = got.status();
        finished_ = true;
      } else if (*got == 0) {
        finished_ = true;
      } else {
        chunk.resize(*got);
        queue_.push_back(std::move(chunk));
        if (*got < chunk_bytes_) finished_ = true;
      }
      cv_.notify_all();
      if (finished_) return;
    }
  }

  std::unique_ptr<InputStream> inner_;
  const size_t chunk_bytes_;
  const size_t depth_;
  const std::string name_;
  const uint64_t raw_size_;
  std::atomic<uint64_t> raw_position_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<char>> queue_;
  size_t front_pos_ = 0;
  bool finished_ = false;
  bool stop_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<InputStream>> InputStream::Open(const std::string& path) {
  auto file = RawFile::Open(path);
  if (!file.ok()) return file.status();
  const std::string_view suffix = CompressionSuffix(path);
  if (suffix == ".gz") return std::unique_ptr<InputStream>(new GzipStream(std::move(*file)));
  if (suffix == ".zst") return std::unique_ptr<InputStream>(new ZstdStream(std::move(*file)));
  return std::unique_ptr<InputStream>(new PlainStream(std::move(*file)));
}

std::unique_ptr<InputStream> InputStream::FromMemory(std::string_view text) {
  return std::make_unique<MemoryStream>(text);
}

std::unique_ptr<InputStream> InputStream::Prefetching(std::unique_ptr<InputStream> inner,
                                                      size_t chunk_bytes, int depth) {
  return std::make_unique<PrefetchStream>(std::move(inner), chunk_bytes, depth);
}

Result<size_t> ReadFully(InputStream& in, char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    auto got = in.Read(out + done, n - done);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

}  // namespace upcamp
