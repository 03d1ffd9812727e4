#include "synth/ids.h"

#include <cassert>

#include "core/hash.h"

namespace upcamp::synth {

IdCodec::IdCodec(uint64_t key, int bits)
    : bits_(bits), half_bits_(bits / 2), half_mask_((uint64_t{1} << (bits / 2)) - 1) {
  assert(bits % 2 == 0 && bits >= 8 && bits <= 62);
  for (int i = 0; i < 4; ++i) keys_[i] = MixSeed(key, static_cast<uint64_t>(i) + 0x1d5);
}

uint64_t IdCodec::Round(uint64_t half, int round) const {
  return MixSeed(keys_[round], half) & half_mask_;
}

uint64_t IdCodec::Encode(uint64_t index) const {
  uint64_t left = (index >> half_bits_) & half_mask_;
  uint64_t right = index & half_mask_;
  for (int r = 0; r < 4; ++r) {
    const uint64_t next = left ^ Round(right, r);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

uint64_t IdCodec::Decode(uint64_t id) const {
  uint64_t left = (id >> half_bits_) & half_mask_;
  uint64_t right = id & half_mask_;
  for (int r = 3; r >= 0; --r) {
    const uint64_t prev = right ^ Round(left, r);
    right = left;
    left = prev;
  }
  return (left << half_bits_) | right;
}

std::optional<uint64_t> ParseHex(std::string_view text, int digits) {
  if (static_cast<int>(text.size()) != digits) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace upcamp::synth
