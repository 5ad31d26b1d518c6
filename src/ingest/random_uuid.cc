#include "ingest/random_uuid.h"

#include <cstdint>
#include <random>

namespace homer::ingest {
namespace {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors advise.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    uint64_t seed = (static_cast<uint64_t>(device()) << 32) ^ device();
    for (auto& word : s_) word = SplitMix64(&seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  uint64_t s_[4];
};

}  // namespace

void RandomUuid(std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local Xoshiro256 generator;
  uint64_t high = generator.Next();
  uint64_t low = generator.Next();
  high = (high & ~0xF000ULL) | 0x4000ULL;                    // version 4
  low = (low & ~(0xC0ULL << 56)) | (0x80ULL << 56);          // variant 10xx (RFC 4122)
  char text[36];
  int w = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[w++] = '-';
    const uint64_t word = i < 8 ? high : low;
    const auto byte = static_cast<unsigned>(word >> (56 - 8 * (i % 8)) & 0xFF);
    text[w++] = kHex[byte >> 4];
    text[w++] = kHex[byte & 0xF];
  }
  out->assign(text, sizeof(text));
}

}  // namespace homer::ingest
