#include "core/hash.h"

#include <openssl/evp.h>
#include <xxhash.h>

#include <cstring>

#include <fmt/format.h>

namespace upcamp {

uint64_t Hash64(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

uint64_t KeyedHash(uint64_t seed, std::string_view purpose, std::string_view key) {
  const uint64_t purpose_seed = MixSeed(seed, Hash64(purpose, 0x7570636D70ULL));
  return XXH3_64bits_withSeed(key.data(), key.size(), purpose_seed);
}

std::string Hex64(uint64_t v) { return fmt::format("{:016x}", v); }

Hasher::Hasher(uint64_t seed) : state_(XXH3_createState()) {
  XXH3_64bits_reset_withSeed(static_cast<XXH3_state_t*>(state_), seed);
}
Hasher::~Hasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

Hasher& Hasher::Bytes(const void* data, size_t size) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data, size);
  return *this;
}
Hasher& Hasher::Str(std::string_view s) {
  U64(s.size());
  return Bytes(s.data(), s.size());
}
Hasher& Hasher::U64(uint64_t v) {
  uint8_t le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<uint8_t>(v >> (8 * i));
  return Bytes(le, 8);
}
Hasher& Hasher::F64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return U64(bits);
}
uint64_t Hasher::Digest() const { return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_)); }

std::string Sha256Hex(std::span<const uint8_t> bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  out.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

}  // namespace upcamp
