#pragma once
// Identifiers of the synthetic dataset. Ids look like the X5 RetailHero ones (10 lower-case hex
// characters, scattered) but are a keyed *bijection* of a dense index, so they are unique without
// bookkeeping and `synth respond` can map a client id back to its index without regenerating
// anything.

#include <cstdint>
#include <optional>
#include <string_view>

namespace upcamp::synth {

/// A keyed permutation of [0, 2^bits) (a 4-round Feistel network over two bits/2 halves).
/// bits must be even, 8..62. Encode and Decode are inverse; different keys give unrelated orders.
class IdCodec {
 public:
  IdCodec(uint64_t key, int bits);

  uint64_t Encode(uint64_t index) const;
  uint64_t Decode(uint64_t id) const;
  int bits() const { return bits_; }
  /// Hex digits needed for an id: bits / 4.
  int hex_digits() const { return bits_ / 4; }

 private:
  uint64_t Round(uint64_t half, int round) const;

  int bits_;
  int half_bits_;
  uint64_t half_mask_;
  uint64_t keys_[4];
};

/// Writes `v` as exactly `digits` lower-case hex characters (leading zeros kept).
inline char* AppendHex(uint64_t v, int digits, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kDigits[v & 0xF];
    v >>= 4;
  }
  return out + digits;
}

/// Parses exactly `digits` hex characters (either case); nullopt on anything else.
std::optional<uint64_t> ParseHex(std::string_view text, int digits);
/// Parses a non-negative decimal integer without sign or spaces; nullopt on anything else.
std::optional<uint64_t> ParseDecimal(std::string_view text);

}  // namespace upcamp::synth
