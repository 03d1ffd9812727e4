#pragma once
// Stable hashing: identical on every machine, compiler and thread count. Used for fingerprints,
// checksums of binary files and for every random choice keyed by (seed, purpose, key).
// Built on XXH3 (libxxhash); the values are part of our file formats, so never change them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace upcamp {

/// XXH3-64 of a byte range with a seed.
uint64_t Hash64(const void* data, size_t size, uint64_t seed = 0);
inline uint64_t Hash64(std::string_view s, uint64_t seed = 0) {
  return Hash64(s.data(), s.size(), seed);
}

/// The hash behind every keyed random choice: H(seed, purpose, key). Different purposes
/// (e.g. "sample", "split") give independent draws for the same client.
uint64_t KeyedHash(uint64_t seed, std::string_view purpose, std::string_view key);

/// Maps a 64-bit hash to a double uniform on [0, 1) (top 53 bits).
constexpr double UnitInterval(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

/// Mixes two 64-bit values (splitmix64 finalizer over a combination); for deriving sub-seeds.
constexpr uint64_t MixSeed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Lower-case hex of a 64-bit value, 16 chars.
std::string Hex64(uint64_t v);

/// Streaming 64-bit hash for fingerprints (stage inputs, training data). Values are fed with
/// explicit lengths so that ("ab","c") and ("a","bc") differ.
class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  Hasher& Bytes(const void* data, size_t size);
  Hasher& Str(std::string_view s);  ///< length-prefixed
  Hasher& U64(uint64_t v);
  Hasher& I64(int64_t v) { return U64(static_cast<uint64_t>(v)); }
  Hasher& F64(double v);
  uint64_t Digest() const;
  std::string HexDigest() const { return Hex64(Digest()); }

 private:
  void* state_;  // XXH3_state_t, kept opaque so xxhash.h stays out of our headers
};

/// SHA-256 of a byte range / of a whole file, lower-case hex (64 chars). For bundle checksums,
/// where users expect a cryptographic digest they can check with `sha256sum`.
std::string Sha256Hex(std::span<const uint8_t> bytes);

}  // namespace upcamp
